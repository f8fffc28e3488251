// Command goprocess-cluster runs go-process units across machines joined
// by NATS with JetStream: an agent per machine, and commands that place
// units (apply), show them (nodes, ps, logs) and act on them (restart,
// stop, start, down). dev runs an embedded NATS server and an agent on
// one machine.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // the command ran and failed
	exitUsage  = 2 // bad command line or file
)

// command is one subcommand.
type command struct {
	usage string
	help  string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands are the subcommands, by name.
var commands map[string]command

func init() {
	commands = map[string]command{
		"agent":   {"agent --node NAME [--labels k=v,…]", "run this machine's agent", runAgentCmd},
		"dev":     {"dev [--listen HOST:PORT] [--dir DIR] [--node NAME]", "an embedded NATS server with JetStream and an agent", runDev},
		"apply":   {"apply -f cluster.yaml", "place the file's units on the live nodes", runApply},
		"nodes":   {"nodes", "list the nodes, alive or lost", runNodes},
		"ps":      {"ps", "list every unit as NODE/UNIT and its state", runPS},
		"logs":    {"logs [-f] NODE/UNIT", "print a unit's output (-f: and follow it)", runLogs},
		"restart": {"restart NODE/UNIT", "restart a unit", controlCmd("restart")},
		"stop":    {"stop NODE/UNIT", "stop a unit", controlCmd("stop")},
		"start":   {"start NODE/UNIT", "start a stopped unit", controlCmd("start")},
		"down":    {"down", "empty every node's desired list: every unit goes down", runDown},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "goprocess-cluster: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

// usage prints the commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: goprocess-cluster COMMAND [--nats URL] [--creds FILE] [--replicas N] …")
	for _, name := range []string{"agent", "dev", "apply", "nodes", "ps", "logs", "restart", "stop", "start", "down"} {
		c := commands[name]
		fmt.Fprintf(w, "  %-55s %s\n", c.usage, c.help)
	}
	fmt.Fprintln(w, "Every command takes --nats URL (default $NATS_URL, else nats://127.0.0.1:4222),")
	fmt.Fprintln(w, "--creds FILE, --nkey SEEDFILE, --tls-ca FILE, --tls-cert FILE --tls-key FILE,")
	fmt.Fprintln(w, "and --replicas N for the buckets and the stream it makes (default: the servers seen, at most 3).")
}
