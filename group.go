package process

import (
	"syscall"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/cgroup"
	"dappco.re/go/core/process/internal/proc"
)

// group is every process the containment holds for one managed process:
// the leader and its descendants. In ContainmentCgroup they are the
// members of the process's cgroup, which none can leave. In
// ContainmentGroup they are the members of the leader's process group and
// the orphans among its descendants that have been re-parented to this
// program and carry its marker in their environment.
//
// The process owns its group until no member is left alive — after the
// leader has exited, if need be — so that stops still reach every member.
// Members are reached through the leader's pidfd, a pidfd of their own or
// the cgroup, never by a number that another process may since have taken.
type group struct {
	pidfd    int          // the leader's pidfd; -1 once released
	gone     bool         // no live member is left: nothing more is signalled
	cgroup   *leafCgroup  // ContainmentCgroup: the process's cgroup; nil otherwise
	marker   string       // ContainmentGroup: the environment item its members carry
	usage    cgroup.Usage // the cgroup's usage, read when it was let go
	released bool         // the cgroup has been let go: back to its pool, or removed
}

// signal sends sig to every member and reports whether it reached one. A
// signal number that is not one fails before anything is sent.
// The leader, leading a process group of pgid, is reached if it has not
// been reaped.
func (g *group) signal(pgid int, sig syscall.Signal) (reached bool, err error) {
	if err := checkSignal(sig); err != nil {
		return false, err
	}
	if g.cgroup != nil {
		if sig == syscall.SIGKILL {
			populated, _ := g.cgroup.Populated()
			g.cgroup.killed = true
			return populated, g.cgroup.Kill()
		}
		n, err := g.cgroup.Signal(sig)
		return n > 0, err
	}
	switch err = proc.SignalGroup(g.pidfd, pgid, sig); err {
	case nil:
		reached = true
	case syscall.ESRCH:
		err = nil
	}
	for _, pid := range g.strays(pgid) {
		if proc.SignalStray(pid, sig) == nil {
			reached = true
		}
	}
	return reached, err
}

// strays returns the live orphans of a ContainmentGroup process that have
// been re-parented to this program: descendants that left the process
// group and whose parent has gone.
func (g *group) strays(leader int) []int {
	if g.marker == "" {
		return nil
	}
	return proc.Strays(g.marker, func(pid int) bool { return pid == leader })
}

// empty reports, without scanning /proc, whether no member is left. In
// ContainmentGroup, members of the process group that have exited but
// wait to be reaped by init still count.
func (g *group) empty(pgid int) bool {
	if g.cgroup != nil {
		populated, err := g.cgroup.Populated()
		return err == nil && !populated
	}
	return proc.SignalGroup(g.pidfd, pgid, 0) == syscall.ESRCH && len(g.strays(pgid)) == 0
}

// signalLocked sends sig to the group and reports whether it reached
// anyone: the running leader or, once the leader has exited, members of its
// group. A stop (always so for SIGKILL) is recorded when it reached the
// running leader: the kernel was asked, just before, whether the leader had
// exited.
func (p *Process) signalLocked(sig syscall.Signal, stop bool) (reached bool, err error) {
	if p.observeExitLocked() == stateRunning {
		if _, err := p.group.signal(p.PID, sig); err != nil {
			return false, err
		}
		if stop || sig == syscall.SIGKILL {
			p.stopSignal = signalName(sig)
		}
		return true, nil
	}
	if p.group.gone {
		return false, nil
	}
	reached, err = p.group.signal(p.PID, sig)
	if err == nil && !reached {
		p.groupGoneLocked()
	}
	return reached, err
}

// groupEndedLocked reports whether the leader has exited and no member of
// its group is left, asking the kernel without scanning /proc.
func (p *Process) groupEndedLocked() bool {
	if p.observeExitLocked() == stateRunning {
		return false
	}
	if !p.group.gone && p.group.empty(p.PID) {
		p.groupGoneLocked()
	}
	return p.group.gone
}

// aliveLocked reports whether the leader runs or, once it has exited, a
// member of its group is alive.
func (p *Process) aliveLocked() bool {
	return p.observeExitLocked() == stateRunning || p.groupAliveLocked()
}

// groupAliveLocked reports whether a member of the group of an exited
// leader is alive; members waiting to be reaped do not count.
func (p *Process) groupAliveLocked() bool {
	if p.groupEndedLocked() {
		return false
	}
	if p.group.cgroup == nil && !proc.LiveGroups([]int{p.PID})[p.PID] && len(p.group.strays(p.PID)) == 0 {
		p.groupGoneLocked()
	}
	return !p.group.gone
}

// groupGoneLocked records that no member of the group is alive.
func (p *Process) groupGoneLocked() {
	p.group.gone = true
	p.releaseGroupLocked()
}

// releaseGroupLocked lets go of what nothing needs any more, once no
// member of the group is alive and the supervisor, which watches the
// pidfd, is done: the pidfd, and the cgroup, whose usage is kept.
func (p *Process) releaseGroupLocked() {
	if !p.group.gone || p.state != stateDone {
		return
	}
	if p.group.pidfd >= 0 {
		if err := proc.ClosePidfd(p.group.pidfd); err != nil {
			core.Warn("process: close pidfd", "id", p.ID, "err", err)
		}
		p.group.pidfd = -1
	}
	if l := p.group.cgroup; l != nil && !p.group.released {
		final := l.used()
		p.group.usage = final
		p.group.usage.CPU -= l.base.CPU
		p.group.released = true
		if l.home == nil || !l.home.release(l, final) {
			cgroupRemover.remove(l.Group)
		}
	}
}

// lingers reports whether the leader has exited but its group may still
// have members.
func (p *Process) lingers() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state != stateRunning && !p.groupEndedLocked()
}
