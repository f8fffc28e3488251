package process

import (
	"context"
	"syscall"
	"time"
)

// leftoversLocked runs at the leader's exit: unless the process is
// detached, what remains of its group is stopped in the background —
// killed at once if the leader was killed, stopped gracefully otherwise.
func (p *Process) leftoversLocked() {
	if p.group.gone {
		return
	}
	if p.group.empty(p.PID) {
		p.groupGoneLocked()
		return
	}
	if p.detached {
		return
	}
	killed := p.stopSignal == signalName(syscall.SIGKILL)
	go func() {
		if killed {
			p.killAll()
			return
		}
		_ = p.stop(context.Background(), p.grace)
	}()
}

// strayKillRounds bounds how often killAll goes after orphans that
// appear as their parents are killed; strayKillWait is how long it waits
// for them in each round.
const (
	strayKillRounds = 50
	strayKillWait   = 20 * time.Millisecond
)

// killAll sends SIGKILL to every member of the group. A cgroup is emptied
// at once. In ContainmentGroup, killing a member re-parents its children to
// this program, which then reaches them too: killAll goes on until a round
// reaches nobody or the group is empty.
func (p *Process) killAll() {
	for range strayKillRounds {
		p.mu.Lock()
		reached, _ := p.signalLocked(syscall.SIGKILL, true)
		p.mu.Unlock()
		if !reached || p.group.cgroup != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), strayKillWait)
		ended := ends.await(p, true, ctx.Done())
		cancel()
		if ended {
			return
		}
	}
}
