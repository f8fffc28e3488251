package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"dappco.re/go/core/process/cluster/agent"
)

// runAgentCmd is `agent --node NAME [--labels k=v,…]`: it runs until
// interrupted.
func runAgentCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cf connFlags
	fs := newFlagSet("agent", stderr, &cf)
	node := fs.String("node", "", "this machine's node name (letters, digits, '-' and '_')")
	labels := fs.String("labels", "", "the node's labels, k=v,…")
	if _, ok := parse(fs, args, 0); !ok {
		return exitUsage
	}
	if *node == "" {
		return usageError(stderr, "agent", fmt.Errorf("--node is required"))
	}
	opts, err := agentOptions(&cf, *node, *labels)
	if err != nil {
		return usageError(stderr, "agent", err)
	}
	fmt.Fprintf(stdout, "agent %s: joining %s\n", *node, cf.url)
	if err := agent.Run(ctx, opts); err != nil {
		return fail(stderr, "agent", err)
	}
	return exitOK
}

// agentOptions builds an agent's options from the flags.
func agentOptions(cf *connFlags, node, labels string) (agent.Options, error) {
	natsOpts, err := cf.options()
	if err != nil {
		return agent.Options{}, err
	}
	l, err := parseLabels(labels)
	if err != nil {
		return agent.Options{}, err
	}
	return agent.Options{URL: cf.url, Node: node, Labels: l, NATS: natsOpts, Storage: cf.storage()}, nil
}

// runDev is `dev`: an embedded NATS server with JetStream, its data in a
// directory under the working directory, and an agent, until interrupted.
func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cf connFlags
	fs := newFlagSet("dev", stderr, &cf)
	listen := fs.String("listen", "127.0.0.1:4222", "where the server listens for clients (port 0: any free port)")
	dir := fs.String("dir", ".goprocess-cluster", "the server's JetStream directory")
	node := fs.String("node", "dev", "the agent's node name")
	labels := fs.String("labels", "", "the agent's labels, k=v,…")
	if _, ok := parse(fs, args, 0); !ok {
		return exitUsage
	}
	srv, err := startDevServer(*listen, *dir)
	if err != nil {
		return fail(stderr, "dev", err)
	}
	defer func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	}()
	cf.url = srv.ClientURL()
	opts, err := agentOptions(&cf, *node, *labels)
	if err != nil {
		return usageError(stderr, "dev", err)
	}
	fmt.Fprintf(stdout, "NATS listening on %s (JetStream in %s)\n", srv.ClientURL(), filepath.Join(*dir, "jetstream"))
	fmt.Fprintf(stdout, "more agents: goprocess-cluster agent --nats %s --node NAME\n", srv.ClientURL())
	if err := agent.Run(ctx, opts); err != nil {
		return fail(stderr, "dev", err)
	}
	return exitOK
}

// startDevServer starts a single NATS server with JetStream on listen,
// its store under dir.
func startDevServer(listen, dir string) (*server.Server, error) {
	host, portText, ok := strings.Cut(listen, ":")
	port, err := strconv.Atoi(portText)
	if !ok || err != nil || port < 0 {
		return nil, fmt.Errorf("--listen: want HOST:PORT, got %q", listen)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("--dir %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("--dir: %w", err)
	}
	srv, err := server.NewServer(&server.Options{
		ServerName: "goprocess-dev",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   abs,
		NoSigs:     true,
		NoLog:      true,
	})
	if err != nil {
		return nil, fmt.Errorf("NATS server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("NATS server on %s: not ready within 30s", listen)
	}
	return srv, nil
}
