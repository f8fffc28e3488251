package process

import (
	"context"
	"sync"
	"syscall"
	"time"

	"dappco.re/go/core/process/internal/proc"
)

// sendSignal sends sig to the process's group — the leader and, after the
// leader has exited, the members still alive — for Signal, Kill and the
// signal actions. stop (always so for SIGKILL) records a stop this service
// asked for. It fails with ErrProcessNotRunning when the signal reached no
// live process.
func (p *Process) sendSignal(sig syscall.Signal, stop bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	op := "signal " + signalName(sig)
	if !p.aliveLocked() {
		return p.errNotRunning(op)
	}
	reached, err := p.signalLocked(sig, stop)
	switch {
	case err != nil:
		return p.wrap(op, err)
	case !reached:
		return p.errNotRunning(op)
	}
	return nil
}

// Shutdown stops the process gracefully: SIGTERM and SIGCONT to its group
// (so a stopped member can act on the SIGTERM), then, after the grace
// period, SIGKILL to the group — also when the leader has already exited,
// so no member that ignores SIGTERM survives. It returns once the group is
// empty or has been sent SIGKILL, and the process has ended. Shutting down
// a process that has exited, with no member of its group left alive,
// returns ErrProcessNotRunning.
func (p *Process) Shutdown() error {
	p.mu.Lock()
	alive := p.aliveLocked()
	p.mu.Unlock()
	if !alive {
		return p.errNotRunning("stop")
	}
	if err := p.stop(context.Background(), p.grace); err != nil {
		return err
	}
	return p.awaitEnd(context.Background())
}

// stop is the graceful stop. It returns once the group is empty or has
// been sent SIGKILL, whichever comes first; the grace period ends early
// when ctx does. It does not wait for the process's events to be
// delivered.
func (p *Process) stop(ctx context.Context, grace time.Duration) error {
	if err := p.politeStop(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	if !ends.await(p, true, ctx.Done()) {
		p.killAll()
	}
	return nil
}

// politeStop sends SIGTERM, then SIGCONT, to the group.
func (p *Process) politeStop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	reached, err := p.signalLocked(syscall.SIGTERM, true)
	if err != nil {
		return p.wrap("stop", err)
	}
	if !reached {
		return p.errNotRunning("stop")
	}
	_, _ = p.signalLocked(proc.SIGCONT, false)
	return nil
}

// awaitEnd waits until the process has ended, or ctx has. Ended means
// done — every event delivered — except for a handler of the process's own
// event, which cannot see that before it returns: for it, ended means the
// process has exited.
func (p *Process) awaitEnd(ctx context.Context) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if p.deliveringHere() {
		if !p.awaitExitDelivering(ctx.Done()) {
			return p.wrap("wait", ctx.Err())
		}
		return nil
	}
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return p.wrap("wait", ctx.Err())
	}
}

// graceCut ends the grace periods of the stops that use its context once
// it is cut: OnShutdown cuts it when its ctx ends, so that the stops it
// did not begin itself — of units, of trees reclaimed from a dead
// instance — end their grace periods with that ctx, as its own do. Its
// zero value is ready.
type graceCut struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
}

func (g *graceCut) init() {
	g.once.Do(func() { g.ctx, g.cancel = context.WithCancel(context.Background()) })
}

// context returns the context of the stops whose graces it cuts.
func (g *graceCut) context() context.Context {
	g.init()
	return g.ctx
}

// cutWhen cuts the graces once ctx ends, unless the returned function is
// called first.
func (g *graceCut) cutWhen(ctx context.Context) (stop func() bool) {
	g.init()
	return context.AfterFunc(ctx, g.cancel)
}

// isDone reports whether p is done: every event of it delivered.
func (p *Process) isDone() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}
