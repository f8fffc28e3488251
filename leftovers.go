package process

import (
	"context"
	"syscall"
	"time"

	"dappco.re/go/core/process/internal/cgroup"
	"dappco.re/go/core/process/internal/proc"
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

// usageLocked returns the CPU time and peak memory of the process (see
// ProcessInfo.CPU and MaxRSS).
func (p *Process) usageLocked() (cpu time.Duration, maxRSS int64) {
	var u cgroup.Usage
	switch g := p.group.cgroup; {
	case g != nil && p.group.released:
		u = p.group.usage
	case g != nil:
		u = g.usage()
	}
	cpu, maxRSS = u.CPU, u.MaxRSS
	if p.state == stateRunning {
		leaderCPU, leaderRSS := proc.Usage(p.PID)
		if p.group.cgroup == nil {
			cpu = leaderCPU
		}
		if maxRSS == 0 {
			maxRSS = leaderRSS
		}
		return cpu, maxRSS
	}
	if p.group.cgroup == nil {
		cpu = p.exit.cpu
	}
	if maxRSS == 0 {
		maxRSS = p.exit.maxRSS
	}
	return cpu, maxRSS
}
