package process

import (
	"syscall"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/proc"
)

// group is the process group the leader leads. The process owns it until
// no member is left alive — after the leader has exited, if need be — so
// that stops still reach every member. It is reached through the leader's
// pidfd, never by a number that another group may since have taken.
type group struct {
	pidfd int  // the leader's pidfd; -1 once released
	gone  bool // no live member is left: nothing more is signalled
}

// signalLocked sends sig to the group and reports whether it reached
// anyone: the running leader or, once the leader has exited, members of its
// group. A stop (always so for SIGKILL) is recorded when it reached the
// running leader: the kernel was asked, just before, whether the leader had
// exited.
func (p *Process) signalLocked(sig syscall.Signal, stop bool) (reached bool, err error) {
	if p.observeExitLocked() == stateRunning {
		if err := proc.SignalGroup(p.group.pidfd, p.PID, sig); err != nil {
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
	switch err := proc.SignalGroup(p.group.pidfd, p.PID, sig); err {
	case nil:
		return true, nil
	case syscall.ESRCH:
		p.groupGoneLocked()
		return false, nil
	default:
		return false, err
	}
}

// groupEndedLocked reports whether the leader has exited and no member of
// its group is left, asking the kernel without scanning /proc: members that
// have exited but wait to be reaped by init still count.
func (p *Process) groupEndedLocked() bool {
	if p.observeExitLocked() == stateRunning {
		return false
	}
	if !p.group.gone && proc.SignalGroup(p.group.pidfd, p.PID, 0) == syscall.ESRCH {
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
// leader is alive, scanning /proc: members waiting to be reaped do not
// count.
func (p *Process) groupAliveLocked() bool {
	if p.groupEndedLocked() {
		return false
	}
	if !proc.LiveGroups([]int{p.PID})[p.PID] {
		p.groupGoneLocked()
	}
	return !p.group.gone
}

// groupGoneLocked records that no member of the group is alive.
func (p *Process) groupGoneLocked() {
	p.group.gone = true
	p.releaseGroupLocked()
}

// releaseGroupLocked closes the pidfd once nothing needs it: no member of
// the group is alive and the supervisor, which watches it, is done.
func (p *Process) releaseGroupLocked() {
	if p.group.gone && p.state == stateDone && p.group.pidfd >= 0 {
		if err := syscall.Close(p.group.pidfd); err != nil {
			core.Warn("process: close pidfd", "id", p.ID, "err", err)
		}
		p.group.pidfd = -1
	}
}

// lingers reports whether the leader has exited but its group may still
// have members.
func (p *Process) lingers() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state != stateRunning && !p.groupEndedLocked()
}
