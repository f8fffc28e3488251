package process

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	core "dappco.re/go/core"
)

// unit is one unit's record. Every field is guarded by the set's lock and
// changed only by the event methods below, each of which switches on the
// state; an event the state does not allow is an internal error, logged
// and otherwise ignored. The transitions, event by event:
//
//	begin             (new)              → waiting
//	dependenciesHeld  waiting            → starting (a run begins)
//	dependencyBroken  waiting            → failed
//	spawned           starting           → ready (no Ready probe, or it passed already)
//	probePassed       starting           → ready
//	spawned           stopping           → stopping (the stop asked for meanwhile goes out)
//	spawnFailed       starting           → backoff | failed (a failure)
//	spawnFailed       stopping           → stopped | starting (Restart)
//	aliveFailed       ready              → stopping (then a failure)
//	exited            starting | ready   → succeeded | backoff | failed
//	exited            stopping           → stopped | starting (Restart) | backoff | failed (Alive)
//	backoffElapsed    backoff            → starting
//	stop              waiting | backoff  → stopped
//	stop              starting | ready   → stopping
//	restart           starting | ready   → stopping (then starting)
//	restart           backoff            → starting
//	restart           stopped | succeeded | failed → waiting
//
// A run (unitRun) lasts from the start of a process until its whole tree
// has gone, and is the only one of its unit meanwhile: restarts never
// overlap. Once shutdown has begun, nothing starts: where a restart would
// come, the unit is stopped.
type unit struct {
	set  *unitSet
	spec UnitSpec // validated, defaults filled in
	rx   *unitProbes

	state    UnitState
	since    time.Time
	restarts int // automatic restarts in a row
	run      *unitRun
	last     *Process // the latest process, running or not
	exitCode int
	err      error  // why it failed or last ended badly
	probeErr string // the Ready probe's last failure, while starting
	intent   stopIntent
	cancel   func() bool // the pending backoff timer
	timer    *struct{}   // identifies the pending backoff timer
	arrivals int         // how many times it has become ready or succeeded
}

// stopIntent is what a stopping unit does once its run has ended.
type stopIntent int

const (
	intentStop    stopIntent = iota // Down: stopped
	intentRestart                   // Restart: start again at once
	intentFail                      // Alive probe failed: a failure, as if it had crashed
)

// enter moves u to state s and announces the change.
func (u *unit) enter(s UnitState) {
	u.state = s
	u.since = u.set.clockLocked().now()
	u.set.announceLocked(u)
}

// unitInternalErrors counts the internal errors of unit state machines;
// tests check it stays 0.
var unitInternalErrors atomic.Int64

// internalError reports an event that the unit's state does not allow.
func (u *unit) internalError(event string) {
	unitInternalErrors.Add(1)
	core.Error("process: unit: internal error: event not allowed in this state",
		"unit", u.spec.Name, "event", event, "state", string(u.state))
}

// begin is the first event: the unit has been added by Up.
func (u *unit) begin() {
	switch u.state {
	case "":
		u.enter(UnitWaiting)
	default:
		u.internalError("begin")
	}
}

// dependenciesHeld: every dependency holds; the process starts.
func (u *unit) dependenciesHeld() {
	switch u.state {
	case UnitWaiting:
		u.launch()
	default:
		u.internalError("dependenciesHeld")
	}
}

// dependencyBroken: a dependency can never hold; the unit fails.
func (u *unit) dependencyBroken(err error) {
	switch u.state {
	case UnitWaiting:
		u.err = err
		u.enter(UnitFailed)
	default:
		u.internalError("dependencyBroken")
	}
}

// launch begins a run: the process is started outside the lock, and the
// run reports back through spawned or spawnFailed.
func (u *unit) launch() {
	u.run = newUnitRun(u)
	u.last = nil // the new process is not up yet
	u.probeErr = ""
	u.enter(UnitStarting)
	go u.set.runUnit(u.run)
}

// spawned: the run's process has started.
func (u *unit) spawned(run *unitRun, p *Process) {
	if u.run != run {
		u.internalError("spawned")
		return
	}
	run.proc = p
	u.last = p
	switch u.state {
	case UnitStarting:
		if u.rx.ready == nil || run.passed {
			u.becomeReady(run)
			return
		}
		run.startProbe(u.rx.ready, u.set.readyProbeResult(run))
	case UnitStopping:
		run.requestStop()
	default:
		u.internalError("spawned")
	}
}

// spawnFailed: the run's process could not start; the run is over.
func (u *unit) spawnFailed(run *unitRun, err error) {
	if u.run != run {
		u.internalError("spawnFailed")
		return
	}
	u.run = nil
	u.exitCode = -1
	switch u.state {
	case UnitStarting:
		u.failure(fmt.Errorf("start: %w", err), 0)
	case UnitStopping:
		u.stopped()
	default:
		u.internalError("spawnFailed")
	}
}

// probePassed: the Ready probe of run passed.
func (u *unit) probePassed(run *unitRun) {
	if u.run != run {
		return // a run that has ended
	}
	switch u.state {
	case UnitStarting:
		if run.proc == nil {
			run.passed = true // an output line came before spawned
			return
		}
		u.becomeReady(run)
	case UnitStopping:
		// Being stopped: readiness no longer matters.
	default:
		u.internalError("probePassed")
	}
}

// probeMissed: the Ready probe of run failed a check; it goes on trying.
func (u *unit) probeMissed(run *unitRun, err error) {
	if u.run == run && u.state == UnitStarting {
		u.probeErr = "ready probe: " + err.Error()
	}
}

// becomeReady moves a starting unit to ready and starts its Alive probe.
func (u *unit) becomeReady(run *unitRun) {
	u.err = nil
	u.probeErr = ""
	u.arrivals++
	u.enter(UnitReady)
	if u.rx.alive != nil {
		run.startProbe(u.rx.alive, u.set.aliveProbeResult(run))
	}
}

// aliveFailed: the Alive probe of run failed Failures times in a row; the
// process is stopped and its ending counts as a failure.
func (u *unit) aliveFailed(run *unitRun, err error) {
	if u.run != run {
		return
	}
	switch u.state {
	case UnitReady:
		u.err = fmt.Errorf("alive probe: %w", err)
		u.intent = intentFail
		u.enter(UnitStopping)
		run.requestStop()
	case UnitStopping:
		// Already being stopped.
	default:
		u.internalError("aliveFailed")
	}
}

// exited: the run's process has ended and its whole tree has gone (or
// could not be made to go: treeErr).
func (u *unit) exited(run *unitRun, info ProcessInfo, treeErr error) {
	if u.run != run {
		u.internalError("exited")
		return
	}
	u.run = nil
	u.exitCode = info.ExitCode
	ran := u.set.clockLocked().now().Sub(run.started)
	if treeErr != nil {
		// Starting again could run two copies at once.
		u.err = treeErr
		u.enter(UnitFailed)
		return
	}
	switch u.state {
	case UnitStarting, UnitReady:
		if err := endingError(info, run.opts.Timeout); err != nil {
			u.failure(err, ran)
			return
		}
		u.success(ran)
	case UnitStopping:
		switch u.intent {
		case intentFail:
			u.failure(u.err, ran)
		default:
			u.stopped()
		}
	default:
		u.internalError("exited")
	}
}

// stopped ends a stop that Down or Restart asked for, once the run is
// over: Restart starts a new run at once.
func (u *unit) stopped() {
	if u.intent == intentRestart && !u.set.closing {
		u.restarts = 0
		u.err = nil
		u.launch()
		return
	}
	u.enter(UnitStopped)
}

// success handles a run that ended on its own with exit status 0.
func (u *unit) success(ran time.Duration) {
	if u.spec.Restart == RestartAlways {
		u.err = nil
		u.restartLater(ran)
		return
	}
	u.err = nil
	u.arrivals++
	u.enter(UnitSucceeded)
}

// failure handles a run that ended badly: err says how.
func (u *unit) failure(err error, ran time.Duration) {
	u.err = err
	if u.spec.Restart == RestartNever {
		u.enter(UnitFailed)
		return
	}
	u.restartLater(ran)
}

// restartLater schedules an automatic restart after the backoff delay, or
// fails the unit once MaxRestarts restarts in a row have been made. No
// restart is scheduled once shutdown has begun.
func (u *unit) restartLater(ran time.Duration) {
	if u.set.closing {
		u.enter(UnitStopped)
		return
	}
	b := u.spec.Backoff
	if ran >= b.ResetAfter {
		u.restarts = 0
	}
	if u.spec.MaxRestarts > 0 && u.restarts >= u.spec.MaxRestarts {
		u.err = fmt.Errorf("gave up after %d restarts in a row: %w", u.restarts, u.errOrExit())
		u.enter(UnitFailed)
		return
	}
	delay := b.delay(u.restarts, u.set.randomLocked())
	u.restarts++
	token := new(struct{})
	u.timer = token
	set := u.set
	u.cancel = set.clockLocked().afterFunc(delay, func() {
		set.event(func() { u.backoffElapsed(token) })
	})
	u.enter(UnitBackoff)
}

// errOrExit is the reason of the last ending, for a unit that always
// restarts even after exit status 0.
func (u *unit) errOrExit() error {
	if u.err != nil {
		return u.err
	}
	return fmt.Errorf("exited with status %d", u.exitCode)
}

// backoffElapsed: the backoff timer identified by token has fired.
func (u *unit) backoffElapsed(token *struct{}) {
	if u.timer != token {
		return // cancelled by a stop or restart that got the lock first
	}
	u.timer, u.cancel = nil, nil
	switch u.state {
	case UnitBackoff:
		if u.set.closing {
			u.enter(UnitStopped)
			return
		}
		u.launch()
	default:
		u.internalError("backoffElapsed")
	}
}

// cancelTimer cancels the pending backoff timer, if any.
func (u *unit) cancelTimer() {
	if u.cancel != nil {
		u.cancel()
	}
	u.timer, u.cancel = nil, nil
}

// stop is Down's event.
func (u *unit) stop() {
	switch u.state {
	case UnitWaiting:
		u.enter(UnitStopped)
	case UnitBackoff:
		u.cancelTimer()
		u.enter(UnitStopped)
	case UnitStarting, UnitReady:
		u.intent = intentStop
		u.enter(UnitStopping)
		u.run.requestStop()
	case UnitStopping:
		u.intent = intentStop
	case UnitStopped, UnitSucceeded, UnitFailed:
		// Nothing runs.
	default:
		u.internalError("stop")
	}
}

// restart is Restart's event.
func (u *unit) restart() {
	switch u.state {
	case UnitWaiting:
		u.restarts = 0 // it starts once its dependencies hold
	case UnitBackoff:
		u.cancelTimer()
		u.restarts = 0
		u.err = nil
		u.launch()
	case UnitStarting, UnitReady:
		u.intent = intentRestart
		u.enter(UnitStopping)
		u.run.requestStop()
	case UnitStopping:
		u.intent = intentRestart
	case UnitStopped, UnitSucceeded, UnitFailed:
		u.restarts = 0
		u.err = nil
		u.enter(UnitWaiting)
	default:
		u.internalError("restart")
	}
}

// holds reports whether condition c of u holds, or why it never can.
func (u *unit) holds(c Condition) (bool, error) {
	switch u.state {
	case UnitFailed:
		return false, fmt.Errorf("dependency %q failed: %s", u.spec.Name, u.errText())
	case UnitStopped:
		return false, fmt.Errorf("dependency %q is stopped", u.spec.Name)
	case UnitSucceeded:
		return true, nil
	}
	switch c {
	case ConditionStarted:
		return (u.state == UnitStarting || u.state == UnitReady) && u.run != nil && u.run.proc != nil, nil
	case ConditionReady:
		return u.state == UnitReady, nil
	}
	return false, nil
}

// down reports whether no run of u goes on, nor will without being asked.
func (u *unit) down() bool {
	switch u.state {
	case UnitStopped, UnitSucceeded, UnitFailed:
		return true
	}
	return false
}

// stuck reports whether u's run has a process that is not done: one that
// has been stopped and awaited, but a handler of whose events has not
// returned.
func (u *unit) stuck() bool {
	return u.run != nil && u.run.proc != nil && !u.run.proc.isDone()
}

// processID is the ID of the latest process, or "".
func (u *unit) processID() string {
	if u.last == nil {
		return ""
	}
	return u.last.ID
}

// errText is the error to report: while starting, why it is not ready
// yet (its Ready probe's last failure), if a check has failed; otherwise
// why it failed or last ended badly.
func (u *unit) errText() string {
	switch {
	case u.state == UnitStarting && u.probeErr != "":
		return u.probeErr
	case u.err != nil:
		return u.err.Error()
	}
	return ""
}

// infoLocked returns a snapshot of u.
func (u *unit) infoLocked() UnitInfo {
	info := UnitInfo{
		Name:      u.spec.Name,
		State:     u.state,
		Restarts:  u.restarts,
		ProcessID: u.processID(),
		ExitCode:  u.exitCode,
		Since:     u.since,
		Error:     u.errText(),
	}
	if u.last != nil {
		info.PID = u.last.PID
	}
	return info
}

// endingError says how a process that the unit manager did not stop
// ended badly, or is nil for exit status 0. timeout is the process's
// RunOptions.Timeout: a stop by the process service once it had run that
// long is the timeout's.
func endingError(info ProcessInfo, timeout time.Duration) error {
	switch {
	case info.Status == StatusFailed:
		return fmt.Errorf("failed: %s", info.Error)
	case info.Status == StatusKilled && timeout > 0 && info.Duration >= timeout:
		return fmt.Errorf("timed out after %v, then %s", timeout, exitText(info))
	case info.Status == StatusKilled:
		return fmt.Errorf("stopped by the process service, then %s", exitText(info))
	case info.Signal != "" || info.ExitCode != 0:
		return errors.New(exitText(info))
	}
	return nil
}

// exitText says how a process ended: by a signal, or with an exit status.
func exitText(info ProcessInfo) string {
	if info.Signal != "" {
		return "ended by signal " + info.Signal
	}
	return fmt.Sprintf("exited with status %d", info.ExitCode)
}
