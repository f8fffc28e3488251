package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"dappco.re/go/core/process/cluster"
)

// defaultURL is the server dialled without --nats and $NATS_URL.
const defaultURL = "nats://127.0.0.1:4222"

// connTimeout bounds how long a command waits for NATS.
const connTimeout = 30 * time.Second

// connFlags are the flags every command takes: where NATS is, how to
// authenticate, and how to make the buckets and the stream.
type connFlags struct {
	url      string
	creds    string
	nkey     string
	tlsCA    string
	tlsCert  string
	tlsKey   string
	replicas int
}

// newFlagSet returns a flag set with the connection flags bound to cf.
func newFlagSet(name string, stderr io.Writer, cf *connFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("goprocess-cluster "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := os.Getenv("NATS_URL")
	if url == "" {
		url = defaultURL
	}
	fs.StringVar(&cf.url, "nats", url, "NATS server URL(s), comma-separated")
	fs.StringVar(&cf.creds, "creds", "", "NATS credentials file (JWT and NKey seed)")
	fs.StringVar(&cf.nkey, "nkey", "", "file holding an NKey seed")
	fs.StringVar(&cf.tlsCA, "tls-ca", "", "CA certificate file the server's certificate is checked against")
	fs.StringVar(&cf.tlsCert, "tls-cert", "", "client certificate file (with --tls-key)")
	fs.StringVar(&cf.tlsKey, "tls-key", "", "client key file (with --tls-cert)")
	fs.IntVar(&cf.replicas, "replicas", 0, "replicas of the buckets and the stream when they are made (0: the servers seen, at most 3)")
	return fs
}

// options returns the nats.Options the flags ask for.
func (cf *connFlags) options() ([]nats.Option, error) {
	opts := []nats.Option{nats.Timeout(connTimeout)}
	if cf.creds != "" {
		opts = append(opts, nats.UserCredentials(cf.creds))
	}
	if cf.nkey != "" {
		opt, err := nats.NkeyOptionFromSeed(cf.nkey)
		if err != nil {
			return nil, fmt.Errorf("--nkey %s: %w", cf.nkey, err)
		}
		opts = append(opts, opt)
	}
	if cf.tlsCA != "" {
		opts = append(opts, nats.RootCAs(cf.tlsCA))
	}
	switch {
	case cf.tlsCert != "" && cf.tlsKey != "":
		opts = append(opts, nats.ClientCert(cf.tlsCert, cf.tlsKey))
	case cf.tlsCert != "" || cf.tlsKey != "":
		return nil, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if cf.replicas < 0 {
		return nil, fmt.Errorf("--replicas %d: must not be negative", cf.replicas)
	}
	return opts, nil
}

// storage is the cluster.Storage the flags ask for.
func (cf *connFlags) storage() cluster.Storage {
	return cluster.Storage{Replicas: cf.replicas}
}

// open connects to NATS and binds to go-process's buckets and stream.
func (cf *connFlags) open(ctx context.Context) (*cluster.Store, error) {
	opts, err := cf.options()
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(cf.url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", cf.url, err)
	}
	ctx, cancel := context.WithTimeout(ctx, connTimeout)
	defer cancel()
	st, err := cluster.Open(ctx, nc, cf.storage())
	if err != nil {
		nc.Close()
		return nil, err
	}
	return st, nil
}

// parse parses args with fs, flags before or after the positional
// arguments, and wants exactly n positional arguments (-1: any).
func parse(fs *flag.FlagSet, args []string, n int) ([]string, bool) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, false
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if n >= 0 && len(rest) != n {
		fmt.Fprintf(fs.Output(), "%s: want %d argument(s), got %d: %s\n", fs.Name(), n, len(rest), strings.Join(rest, " "))
		return nil, false
	}
	return rest, true
}

// nodeUnit splits NODE/UNIT.
func nodeUnit(arg string) (string, string, error) {
	node, unit, ok := strings.Cut(arg, "/")
	if !ok || node == "" || unit == "" {
		return "", "", fmt.Errorf("want NODE/UNIT, got %q", arg)
	}
	return node, unit, nil
}

// parseLabels parses k=v,k=v.
func parseLabels(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(item, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--labels: want k=v,…, got %q", item)
		}
		out[k] = v
	}
	return out, nil
}
