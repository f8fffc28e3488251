package process

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
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
	// Get, List and Output; the oldest finished go first. Running processes,
	// and finished ones with members of their group still alive, are
	// always kept.
	KeepFinished int
	// OutputDir is where a Detach'ed process's output file goes; empty
	// means go-process-<uid> in the system's temporary directory.
	OutputDir string
	// Containment chooses how each process's descendants are held, so that
	// a stop reaches all of them: ContainmentAuto (the zero value) uses a
	// cgroup per process where a writable cgroup v2 hierarchy exists and
	// process groups elsewhere. ContainmentCgroup fails the factory when
	// cgroups cannot be made.
	Containment Containment
	// DisableOutputEvents stops the broadcast of ActionProcessOutput: each
	// line then goes only to its process's RunOptions.OnOutput, and the
	// output of a process without one is captured and copied to its
	// writers without being split into lines, at no cost per line. The
	// other process events are still broadcast.
	DisableOutputEvents bool
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
	table       *table
	containment Containment // in force: ContainmentCgroup or ContainmentGroup
	cgroups     *cgroupHome // ContainmentCgroup: where the processes' cgroups go
	units       unitSet     // the units (units.go); its zero value is ready
	graces      graceCut    // cut when OnShutdown's ctx ends
	reclaimed   reclaimed   // what OnStartup took over from dead instances
}

// OnStartup registers the process.* actions with the Core and, in
// ContainmentCgroup, reclaims what instances of this program that died
// left behind (a zombie, not yet reaped, has died): their processes'
// remaining trees are stopped, and their detached processes adopted,
// under their old IDs. The stops go on after it returns; no unit's
// process starts before they are over.
func (s *Service) OnStartup(ctx context.Context) core.Result {
	s.reclaim()
	s.registerActions()
	s.registerUnitActions()
	return core.Result{OK: true}
}

// shutdownReapWait bounds how long OnShutdown waits, once every group has
// been sent SIGKILL, for the processes to be reaped and their events
// delivered: it gives up once that long passes with none of them ending.
const shutdownReapWait = 2 * time.Second

// awaitAllEnded waits until every process of procs is done and its group
// gone, for as long as they keep ending: it gives up once shutdownReapWait
// passes with none ending, and returns how many have not.
func awaitAllEnded(procs []*Process) (left int) {
	for pending := procs; len(pending) > 0; {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownReapWait)
		var still []*Process
		for _, p := range pending {
			if !ends.await(p, true, ctx.Done()) || p.awaitEnd(ctx) != nil {
				still = append(still, p)
			}
		}
		cancel()
		if len(still) == len(pending) {
			return len(still)
		}
		pending = still
	}
	return 0
}

// OnShutdown downs every unit first, in reverse dependency order, after
// which none restarts. It then refuses every start (ErrShuttingDown) and
// stops every process whose group — every descendant its containment
// holds — has a member alive: SIGTERM and SIGCONT to every member, its
// grace period, then SIGKILL. It bounds itself: it returns once every
// group is empty and every process done, or at the latest
// shutdownReapWait after the last SIGKILL, whatever ctx it gets (the Core
// gives it context.Background()). A ctx that ends earlier ends the grace
// periods with it — of units as of processes — and OnShutdown then fails
// with ctx.Err(), as http.Server.Shutdown does, once every group is
// empty or sent SIGKILL. It fails, saying how many, if some process was
// not done in time: its group was not empty, or a handler of its events
// had not returned. In ContainmentCgroup it finishes reclaiming what dead
// instances left — stops their trees, removes their cgroups — and then
// removes the instance's cgroups.
func (s *Service) OnShutdown(ctx context.Context) core.Result {
	defer s.graces.cutWhen(ctx)()
	stopped, givenUp := s.units.shutdown() // units first, in reverse dependency order; none restarts
	s.table.close()
	procs := s.table.list(false)
	var wg sync.WaitGroup
	var reached atomic.Int64
	for _, p := range procs {
		wg.Go(func() {
			if p.stop(ctx, p.grace) == nil { // refused for a process that has ended
				reached.Add(1)
			}
		})
	}
	wg.Wait()
	cut := ctx.Err() != nil && stopped+int(reached.Load()) > 0
	// Processes of units whose events shutdown has waited for already are
	// not waited for again.
	left := awaitAllEnded(slices.DeleteFunc(slices.Clone(procs), func(p *Process) bool {
		return slices.Contains(givenUp, p)
	}))
	for _, p := range givenUp {
		if !p.isDone() {
			left++
		}
	}
	s.units.settle()
	s.finishReclaim()
	if s.cgroups != nil {
		s.cgroups.close()
	}
	return shutdownResult(ctx, cut, left, len(procs))
}

// shutdownResult is what OnShutdown returns: it fails when left of the
// total processes were not done, or when ctx ended (cut) before the
// processes it stopped had.
func shutdownResult(ctx context.Context, cut bool, left, total int) core.Result {
	var err error
	switch {
	case left > 0 && cut:
		err = fmt.Errorf("process: shutdown: %d of %d processes not done: %w; its ctx ended first: %w", left, total, context.DeadlineExceeded, ctx.Err())
	case left > 0:
		err = fmt.Errorf("process: shutdown: %d of %d processes not done: %w", left, total, context.DeadlineExceeded)
	case cut:
		err = fmt.Errorf("process: shutdown: its ctx ended before the processes did, which were killed: %w", ctx.Err())
	default:
		return core.Result{OK: true}
	}
	return core.Result{Value: err}
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
	p, err := s.spawn(ctx, opts, background)
	if err != nil {
		return core.Result{Value: err}
	}
	return core.Result{Value: p, OK: true}
}

// Run runs command with args to completion; the Result's Value is its
// complete output, stdout and stderr through one pipe (as 2>&1), in the
// order written, like exec.Cmd's CombinedOutput. A non-zero exit gives OK
// false and an *ExitError that still carries the output.
func (s *Service) Run(ctx context.Context, command string, args ...string) core.Result {
	return s.RunWithOptions(ctx, RunOptions{Command: command, Args: args})
}

// RunWithOptions runs the process described by opts to completion, like
// Run. Its stdin is opts.Input, or empty. With opts.OutputLimit, a process
// that writes more fails with an *OutputTruncatedError (matching
// ErrOutputTruncated) holding the newest OutputLimit bytes. Once it has
// returned, the process table keeps the newest Options.BufferSize bytes of
// the output, as for a started process.
func (s *Service) RunWithOptions(ctx context.Context, opts RunOptions) core.Result {
	p, err := s.spawn(ctx, opts, foreground)
	if err != nil {
		return core.Result{Value: err}
	}
	return p.runResult(opts.OutputLimit, s.bufferSize())
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
