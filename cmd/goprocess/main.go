// Command goprocess runs the units of a process.yaml in the foreground and
// serves the HTTP API of package api, and talks to such a server.
//
//	goprocess up [-f process.yaml] [--socket PATH] [--listen HOST:PORT] [--token-file FILE] [--allowed-host NAME]… [--allow-start] [--env-file FILE]
//	goprocess ps [--socket PATH]
//	goprocess ls
//	goprocess logs [-f] [--socket PATH] NAME
//	goprocess start|stop|restart [--socket PATH] NAME
//	goprocess down [--socket PATH]
//
// Exit status: 0 on success, 1 on a failure (a unit that failed, an error
// from the server), 2 on a usage or configuration error.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

const usage = `usage:
  goprocess up [-f process.yaml] [--socket PATH] [--listen HOST:PORT] [--token-file FILE] [--allowed-host NAME]… [--allow-start] [--env-file FILE]
  goprocess ps [--socket PATH]
  goprocess ls
  goprocess logs [-f] [--socket PATH] NAME
  goprocess start|stop|restart [--socket PATH] NAME
  goprocess down [--socket PATH]

The socket defaults to goprocess.sock in $XDG_RUNTIME_DIR, else in the
working directory. Run "goprocess COMMAND -h" for a command's options.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "up":
		return cmdUp(rest, stdout, stderr)
	case "ps":
		return cmdPs(rest, stdout, stderr)
	case "ls":
		return cmdLs(rest, stdout, stderr)
	case "logs":
		return cmdLogs(rest, stdout, stderr)
	case "start", "stop", "restart":
		return cmdUnit(cmd, rest, stdout, stderr)
	case "down":
		return cmdDown(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "goprocess: unknown command %q\n%s", cmd, usage)
	return exitUsage
}
