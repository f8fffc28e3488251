package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// DefaultShutdownTimeout bounds a Daemon's health-server shutdown when
// DaemonOptions.ShutdownTimeout is 0.
const DefaultShutdownTimeout = 30 * time.Second

// DaemonOptions configures a Daemon. Every part is optional.
type DaemonOptions struct {
	// PIDFile, when set, is the path of the PIDFile that keeps a second
	// instance from starting.
	PIDFile string
	// ShutdownTimeout bounds how long Stop lets the health server's
	// requests in progress finish; 0 means DefaultShutdownTimeout (30 s).
	ShutdownTimeout time.Duration
	// HealthAddr, when set, is the TCP address of the HealthServer.
	HealthAddr string
	// HealthChecks are added to the HealthServer's checks.
	HealthChecks []HealthCheck
	// Registry, when set, records the daemon while it runs.
	Registry *Registry
	// RegistryEntry is the daemon's entry in Registry. Start fills in PID
	// (this program's), Health (the health server's address, when there is
	// one) and Started; an empty Project is the working directory and an
	// empty Binary this program's executable.
	RegistryEntry DaemonEntry
}

// Daemon is a program's own daemon life: a PID file, a health server and
// an entry in a registry of running daemons, each optional. Its methods
// are safe for concurrent use.
type Daemon struct {
	opts   DaemonOptions
	pid    *PIDFile      // nil without DaemonOptions.PIDFile
	health *HealthServer // nil without DaemonOptions.HealthAddr

	mu         sync.Mutex
	running    bool
	registered *DaemonEntry // the entry Start registered, while registered
}

// NewDaemon returns a Daemon for opts; nothing starts until Start.
func NewDaemon(opts DaemonOptions) *Daemon {
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	d := &Daemon{opts: opts}
	if opts.PIDFile != "" {
		d.pid = NewPIDFile(opts.PIDFile)
	}
	if opts.HealthAddr != "" {
		d.health = NewHealthServer(opts.HealthAddr)
		for _, check := range opts.HealthChecks {
			d.health.AddCheck(check)
		}
	}
	return d
}

// Start acquires the PID file, then starts the health server (ready), then
// registers the daemon, in that order; when a step fails, the steps before
// it are undone and the error says which failed. Starting a running
// daemon is an error.
func (d *Daemon) Start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running {
		return errors.New("daemon: already running")
	}
	if d.pid != nil {
		if err := d.pid.Acquire(); err != nil {
			return fmt.Errorf("daemon: start: %w", err)
		}
	}
	if d.health != nil {
		d.health.SetReady(true)
		if err := d.health.Start(); err != nil {
			return errors.Join(fmt.Errorf("daemon: start: %w", err), d.releasePID())
		}
	}
	if d.opts.Registry != nil {
		entry := d.entry()
		if err := d.opts.Registry.Register(entry); err != nil {
			return errors.Join(fmt.Errorf("daemon: start: %w", err), d.stopHealth(), d.releasePID())
		}
		d.registered = &entry
	}
	d.running = true
	return nil
}

// entry is the registry entry with what Start fills in.
func (d *Daemon) entry() DaemonEntry {
	e := d.opts.RegistryEntry
	e.PID = os.Getpid()
	e.Started = time.Now()
	if d.health != nil {
		e.Health = d.health.Addr()
	}
	if e.Project == "" {
		e.Project, _ = os.Getwd()
	}
	if e.Binary == "" {
		e.Binary, _ = os.Executable()
	}
	return e
}

// Run blocks until ctx ends, then stops the daemon and returns Stop's
// error. Running a daemon that was not started is an error.
func (d *Daemon) Run(ctx context.Context) error {
	d.mu.Lock()
	running := d.running
	d.mu.Unlock()
	if !running {
		return errors.New("daemon: not started")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	<-ctx.Done()
	return d.Stop()
}

// Stop marks the daemon not ready, stops the health server (letting the
// requests in progress finish, for at most ShutdownTimeout), releases the
// PID file and unregisters (leaving an entry that another daemon has
// registered under the same names since), in that order, and returns
// every error met. Stopping a daemon that is not running does nothing.
func (d *Daemon) Stop() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.running {
		return nil
	}
	d.running = false
	if d.health != nil {
		d.health.SetReady(false)
	}
	err := errors.Join(d.stopHealth(), d.releasePID(), d.unregister())
	if err != nil {
		return fmt.Errorf("daemon: stop: %w", err)
	}
	return nil
}

// unregister deletes the daemon's registry entry, unless another daemon
// has registered under the same Code and Daemon since: its entry stays.
func (d *Daemon) unregister() error {
	mine := d.registered
	if mine == nil {
		return nil
	}
	d.registered = nil
	current, ok := d.opts.Registry.Get(mine.Code, mine.Daemon)
	if !ok || current.PID != mine.PID || !current.Started.Equal(mine.Started) {
		return nil
	}
	return d.opts.Registry.Unregister(mine.Code, mine.Daemon)
}

func (d *Daemon) stopHealth() error {
	if d.health == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.opts.ShutdownTimeout)
	defer cancel()
	return d.health.Stop(ctx)
}

func (d *Daemon) releasePID() error {
	if d.pid == nil {
		return nil
	}
	return d.pid.Release()
}

// SetReady sets what the health server's /ready answers; without a health
// server it does nothing.
func (d *Daemon) SetReady(ready bool) {
	if d.health != nil {
		d.health.SetReady(ready)
	}
}

// Ready reports whether the daemon has a health server that answers
// /ready with 200.
func (d *Daemon) Ready() bool {
	return d.health != nil && d.health.Ready()
}

// HealthAddr returns the health server's address (the port chosen for ":0"
// once started), or "" without one.
func (d *Daemon) HealthAddr() string {
	if d.health == nil {
		return ""
	}
	return d.health.Addr()
}
