package process

import (
	"fmt"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/proc"
)

// state is where a process is in its lifecycle. It only moves forward, one
// step at a time, and only through the event methods below, which all run
// under the process lock:
//
//	running ──exit──▶ exited ──finish──▶ done
type state int

const (
	// stateRunning: the leader has not exited, as far as the kernel was
	// last asked.
	stateRunning state = iota
	// stateExited: the leader has exited and been reaped; its exit is
	// recorded. Output may still be arriving.
	stateExited
	// stateDone: all output and the exit event have been delivered; the
	// record is final.
	stateDone
)

func (s state) String() string {
	switch s {
	case stateRunning:
		return "running"
	case stateExited:
		return "exited"
	case stateDone:
		return "done"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// exitRecord is how the leader ended; it is set by the exit event.
type exitRecord struct {
	at     time.Time
	code   int           // exit status, or -1
	signal string        // the signal that ended it, if one did
	err    error         // waiting for it failed: the process failed
	cpu    time.Duration // the leader's CPU time, with the descendants it waited for
	maxRSS int64         // the leader's peak resident set, in bytes
}

// observeExitLocked asks the kernel whether the running leader has exited
// and, if it has, reaps it and records the exit. Whoever asks first — the
// supervisor, a signal sender, a waiter — makes the transition, so the
// record never lags behind the kernel's answer. It returns the state.
func (p *Process) observeExitLocked() state {
	if p.state != stateRunning {
		return p.state
	}
	if p.adopted {
		// Not a child of this program: it has ended when its cgroup is
		// empty, with an exit status nobody here can know.
		if p.group.empty(p.PID) {
			p.exitLocked(exitRecord{code: -1})
		}
		return p.state
	}
	e, exited, err := proc.Reap(p.PID)
	switch {
	case err != nil:
		p.exitLocked(exitRecord{code: -1, err: fmt.Errorf("process %s: wait: %w", p.ID, err)})
	case exited:
		p.exitLocked(exitRecordOf(e))
	}
	return p.state
}

// exitRecordOf turns how a reaped child ended into an exit record.
func exitRecordOf(e proc.Exit) exitRecord {
	ws := e.Status
	rec := exitRecord{code: ws.ExitStatus(), cpu: e.CPU(), maxRSS: e.MaxRSS()}
	if ws.Signaled() {
		rec.code = -1
		rec.signal = signalName(ws.Signal())
	}
	return rec
}

// exitLocked is the exit event: the leader has exited and been reaped.
func (p *Process) exitLocked(rec exitRecord) {
	switch p.state {
	case stateRunning:
		rec.at = time.Now()
		p.exit = rec
		p.state = stateExited
		close(p.exited)
		p.leftoversLocked()
	default:
		p.internalError("exit", p.state)
	}
}

// finish is the done event: every output line and the exit event have
// been delivered.
func (p *Process) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.state {
	case stateRunning:
		// The supervisor only finishes after seeing the exit; a process
		// that is still running here is a bug, reported as a failure.
		p.internalError("finish", p.state)
		p.exitLocked(exitRecord{code: -1, err: fmt.Errorf("process %s: internal error: finished while running", p.ID)})
		fallthrough
	case stateExited:
		p.state = stateDone
		close(p.done)
		p.groupEndedLocked()
		p.releaseGroupLocked()
	default:
		p.internalError("finish", p.state)
	}
}

// statusLocked derives the reported status from the state and the record.
func (p *Process) statusLocked() Status {
	switch {
	case p.state == stateRunning:
		return StatusRunning
	case p.exit.err != nil:
		return StatusFailed
	case p.stopSignal != "":
		return StatusKilled
	}
	return StatusExited
}

// internalError reports an event that the state machine does not allow in
// state s. It never happens unless this package has a bug.
func (p *Process) internalError(event string, s state) {
	core.Error("process: internal error: event not allowed in this state", "id", p.ID, "event", event, "state", s.String())
}
