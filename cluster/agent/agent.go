// Package agent is the part of go-process's cluster that runs on each
// machine: it runs a process service, reconciles it with the node's
// desired list in NATS, mirrors the units' state, publishes their output
// and changes, answers control requests and keeps a heartbeat. It only
// dials out.
package agent

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	core "dappco.re/go/core"
	"github.com/nats-io/nats.go"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
)

// Options configure an agent.
type Options struct {
	// URL is the NATS server (or comma-separated servers) to dial.
	URL string
	// Node is this machine's name: letters, digits, '-' and '_'.
	Node string
	// Labels describe the node for placement (`labels:` in cluster.yaml).
	Labels map[string]string
	// NATS are the connection's options, as nats.Connect takes them:
	// nats.UserCredentials for a creds file, nats.Nkey or
	// nats.NkeyOptionFromSeed, nats.RootCAs and nats.ClientCert for TLS.
	NATS []nats.Option
	// Storage makes the buckets and the stream when they are missing.
	Storage cluster.Storage
	// Process configures the process service the units run in.
	Process process.Options
}

// runner is a running agent; Run makes one and returns when it ends.
type runner struct {
	o     Options
	nc    *nats.Conn
	store *cluster.Store
	c     *core.Core
	svc   *process.Service

	outMu   sync.Mutex
	outputs map[string][2]*lineWriter // per unit: stdout, stderr

	mirror  *mirror
	desired desiredSlot
	beat    time.Duration // a third of BucketNodes' TTL
}

// Run runs the agent until ctx ends, then stops its units, removes its
// heartbeat and closes its connection. It returns an error when it cannot
// start: a bad name, NATS unreachable, or another live agent of the same
// node name.
func Run(ctx context.Context, o Options) error {
	if err := cluster.CheckName("node", o.Node); err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	a := &runner{o: o, outputs: map[string][2]*lineWriter{}}
	if err := a.connect(ctx); err != nil {
		return err
	}
	defer a.nc.Close()
	if err := a.readBeat(ctx); err != nil {
		return err
	}
	if err := a.checkUnclaimed(ctx); err != nil {
		return err
	}
	if err := a.startService(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	loops := []func(context.Context) error{a.reconcile, a.mirror.run, a.heartbeat, a.serveControl}
	errs := make(chan error, len(loops))
	loopCtx, stop := context.WithCancel(ctx)
	for _, loop := range loops {
		wg.Go(func() {
			if err := loop(loopCtx); err != nil && !errors.Is(err, context.Canceled) {
				errs <- err
			}
		})
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	stop()
	wg.Wait()
	a.c.ServiceShutdown(context.Background())
	last, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	a.mirror.flush(last)
	_ = a.store.NodesKV.Delete(last, a.o.Node)
	_ = a.nc.FlushWithContext(last)
	return err
}

// connect dials NATS and binds to the buckets and the stream.
func (a *runner) connect(ctx context.Context) error {
	opts := append([]nats.Option{
		nats.Name("goprocess-agent " + a.o.Node),
		nats.MaxReconnects(-1),
	}, a.o.NATS...)
	nc, err := nats.Connect(a.o.URL, opts...)
	if err != nil {
		return fmt.Errorf("agent %s: connect to %s: %w", a.o.Node, a.o.URL, err)
	}
	store, err := cluster.Open(ctx, nc, a.o.Storage)
	if err != nil {
		nc.Close()
		return fmt.Errorf("agent %s: %w", a.o.Node, err)
	}
	a.nc, a.store = nc, store
	return nil
}

// startService starts the process service and follows its unit changes.
func (a *runner) startService(ctx context.Context) error {
	a.c = core.New(core.WithService(process.NewService(a.o.Process)))
	if r := a.c.ServiceStartup(ctx, nil); !r.OK {
		return fmt.Errorf("agent %s: start the process service: %v", a.o.Node, r.Value)
	}
	svc, ok := core.ServiceFor[*process.Service](a.c, "process")
	if !ok {
		return fmt.Errorf("agent %s: the process service is not registered", a.o.Node)
	}
	a.svc = svc
	a.mirror = newMirror(a)
	a.c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if ev, ok := msg.(process.ActionUnitChanged); ok {
			a.mirror.changed(ev)
		}
		return core.Result{OK: true}
	})
	return nil
}

// labels returns a copy of the node's labels.
func (a *runner) labels() map[string]string { return maps.Clone(a.o.Labels) }
