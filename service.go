package process

import (
	"context"
	"fmt"
	"sync"
	"time"

	core "dappco.re/go/core"
)

// Defaults for the zero Options.
const (
	// DefaultBufferSize is the per-process output capture bound: 1 MiB.
	DefaultBufferSize = 1 << 20
	// DefaultGracePeriod is the time between SIGTERM and SIGKILL when a
	// process is stopped.
	DefaultGracePeriod = 5 * time.Second
	// DefaultKeepFinished is how many finished processes the table keeps.
	DefaultKeepFinished = 256
)

// Options configures the service. Zero fields take the defaults.
type Options struct {
	// BufferSize bounds each process's captured output, in bytes; the
	// buffer grows as output arrives, up to this size.
	BufferSize int
	// GracePeriod is the default time between SIGTERM and SIGKILL.
	GracePeriod time.Duration
	// KeepFinished is how many finished processes stay in the table for
	// Get, List and Output; the oldest finished go first. Running processes
	// are always kept.
	KeepFinished int
}

// withDefaults fills zero (or negative) fields with the defaults.
func (o Options) withDefaults() Options {
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	if o.GracePeriod <= 0 {
		o.GracePeriod = DefaultGracePeriod
	}
	if o.KeepFinished <= 0 {
		o.KeepFinished = DefaultKeepFinished
	}
	return o
}

// Service runs and manages external processes. Its Go methods work as soon
// as the factory has built it; OnStartup adds the process.* actions.
type Service struct {
	*core.ServiceRuntime[Options]
	table *table
}

// OnStartup registers the process.* actions with the Core.
func (s *Service) OnStartup(ctx context.Context) core.Result {
	s.registerActions()
	return core.Result{OK: true}
}

// OnShutdown stops every running process — SIGTERM to its group, the grace
// period, then SIGKILL to the group — and returns once every process is
// done (reaped, its output and exit event delivered). When ctx ends first,
// the grace periods end with it: SIGKILL goes to every group still alive
// and OnShutdown returns the context's error without waiting further.
func (s *Service) OnShutdown(ctx context.Context) core.Result {
	var wg sync.WaitGroup
	for _, p := range s.table.list(false) {
		wg.Go(func() {
			_ = p.stop(ctx, p.grace) // refused for a process that has already exited
			<-p.Done()
		})
	}
	allDone := make(chan struct{})
	go func() {
		wg.Wait()
		close(allDone)
	}()
	select {
	case <-allDone:
		return core.Result{OK: true}
	case <-ctx.Done():
		left := len(s.table.list(true))
		return core.Result{Value: fmt.Errorf("process: shutdown: %d processes still running: %w", left, ctx.Err())}
	}
}

// Start starts command with args and returns at once; the Result's Value is
// the *Process. The process keeps a stdin pipe for SendInput.
func (s *Service) Start(ctx context.Context, command string, args ...string) core.Result {
	return s.StartWithOptions(ctx, RunOptions{Command: command, Args: args})
}

// StartWithOptions starts the process described by opts; the Result's Value
// is the *Process. Unless opts.Detach is set, the process is stopped when
// ctx ends.
func (s *Service) StartWithOptions(ctx context.Context, opts RunOptions) core.Result {
	p, err := s.spawn(ctx, opts, false)
	if err != nil {
		return core.Result{Value: err}
	}
	return core.Result{Value: p, OK: true}
}

// Run runs command with args to completion; the Result's Value is the
// combined stdout and stderr. A non-zero exit gives OK false and an
// *ExitError that still carries the output.
func (s *Service) Run(ctx context.Context, command string, args ...string) core.Result {
	return s.RunWithOptions(ctx, RunOptions{Command: command, Args: args})
}

// RunWithOptions runs the process described by opts to completion, like
// Run. Its stdin is opts.Input, or empty.
func (s *Service) RunWithOptions(ctx context.Context, opts RunOptions) core.Result {
	p, err := s.spawn(ctx, opts, true)
	if err != nil {
		return core.Result{Value: err}
	}
	if err := p.result(); err != nil {
		return core.Result{Value: err}
	}
	return core.Result{Value: p.Output(), OK: true}
}

// Get returns the process with the given ID.
func (s *Service) Get(id string) (*Process, error) {
	return s.table.get(id)
}

// List returns every process in the table, in the order they started.
func (s *Service) List() []*Process {
	return s.table.list(false)
}

// Running returns the processes that have not exited.
func (s *Service) Running() []*Process {
	return s.table.list(true)
}

// IsRunning reports whether id names a process that has not exited.
func (s *Service) IsRunning(id string) bool {
	return s.table.isRunning(id)
}

// Kill sends SIGKILL to the group of process id. A process that has
// already exited is left alone: the error wraps ErrProcessNotRunning.
func (s *Service) Kill(id string) error {
	return s.table.kill(id)
}

// Remove drops a finished process from the table.
func (s *Service) Remove(id string) error {
	return s.table.remove(id)
}

// Clear drops every finished process from the table.
func (s *Service) Clear() {
	s.table.clear()
}

// Output returns the captured output of process id.
func (s *Service) Output(id string) (string, error) {
	p, err := s.table.get(id)
	if err != nil {
		return "", err
	}
	return p.Output(), nil
}

// broadcast sends msg to every ACTION handler of the Core.
func (s *Service) broadcast(msg core.Message) {
	s.Core().ACTION(msg)
}

func (s *Service) bufferSize() int {
	return s.Options().BufferSize
}

// gracePeriod returns d, or the service default when d is not positive.
func (s *Service) gracePeriod(d time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return s.Options().GracePeriod
}

// newID returns a unique process ID.
func newID() string {
	return core.ID()
}
