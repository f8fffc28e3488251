package process

import (
	"context"
	"syscall"
	"time"

	"dappco.re/go/core/process/internal/proc"
)

// groupPollInterval is how often a stop checks whether the members of an
// exited leader's group are gone. The kernel offers no notification.
const groupPollInterval = 20 * time.Millisecond

// sendSignal sends sig to the process group while its leader has not
// exited; stop (always so for SIGKILL) records it as a stop this service
// asked for. Once the leader has exited its PID may be reused, so this path
// never signals it again.
func (p *Process) sendSignal(sig syscall.Signal, stop bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	op := "signal " + signalName(sig)
	if p.hasExited {
		return p.errNotRunning(op)
	}
	if err := proc.SignalGroup(p.PID, sig); err != nil {
		return p.wrap(op, err)
	}
	if stop || sig == syscall.SIGKILL {
		p.stopSignal = signalName(sig)
	}
	return nil
}

// Shutdown stops the process gracefully: SIGTERM to its group, then, after
// the grace period, SIGKILL to the group — even if the leader has already
// exited, so no member that ignores SIGTERM survives. Shutdown returns once
// the process has ended and its group is empty or has been sent SIGKILL.
// Shutting down a process that has already exited returns
// ErrProcessNotRunning.
func (p *Process) Shutdown() error {
	return p.stop(context.Background(), p.grace)
}

// stop is Shutdown with a grace period that also ends when ctx does.
func (p *Process) stop(ctx context.Context, grace time.Duration) error {
	if err := p.sendSignal(syscall.SIGTERM, true); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	if !p.awaitGroupEnd(ctx.Done()) {
		p.killGroup()
	}
	<-p.done
	return nil
}

// killGroup sends SIGKILL to the group, also after the leader has exited.
// Until the leader is reaped its PID reserves the group ID; after that, the
// group ID stays reserved only while a member lives, so the group is
// checked first.
func (p *Process) killGroup() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.hasExited {
		p.stopSignal = "SIGKILL"
	} else if !proc.GroupAlive(p.PID) {
		return
	}
	_ = proc.SignalGroup(p.PID, syscall.SIGKILL)
}

// awaitGroupEnd waits for the leader to exit and its group to empty. It
// reports false if the deadline came first.
func (p *Process) awaitGroupEnd(deadline <-chan struct{}) bool {
	select {
	case <-p.exited:
	case <-deadline:
		return false
	}
	if !proc.GroupAlive(p.PID) {
		return true
	}
	tick := time.NewTicker(groupPollInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if !proc.GroupAlive(p.PID) {
				return true
			}
		case <-deadline:
			return false
		}
	}
}
