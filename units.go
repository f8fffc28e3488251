package process

import (
	"context"
	"errors"
	"time"
)

// ErrUnitNotFound reports a unit name the service does not know. Returned
// errors wrap it with the name; compare with errors.Is.
var ErrUnitNotFound = errors.New("unit not found")

// RestartPolicy says when a unit's process is started again after it
// ends on its own.
type RestartPolicy string

// Restart policies. A stop this service asked for — Down, Restart,
// shutdown — never leads to an automatic restart.
const (
	// RestartNever leaves an ended unit ended: succeeded after exit
	// status 0, failed otherwise. It is the zero value.
	RestartNever RestartPolicy = "never"
	// RestartOnFailure restarts after a non-zero exit status, a signal the
	// unit manager did not send (a kill from outside, or by the process
	// service's Kill or Timeout), a failed start or a failed Alive probe;
	// exit status 0 makes the unit succeeded.
	RestartOnFailure RestartPolicy = "on-failure"
	// RestartAlways restarts after any ending, exit status 0 included.
	RestartAlways RestartPolicy = "always"
)

// Backoff spaces automatic restarts. Restart n (counting from 0) waits
// min(Max, Initial·Factorⁿ), then spread by ±Jitter of itself. A run that
// lasted ResetAfter or longer resets the count, so the next restart waits
// Initial again. Zero fields take the defaults given for each.
type Backoff struct {
	// Initial is the delay of the first restart; zero means 500ms.
	Initial time.Duration
	// Max caps the delay before jitter; zero means 30s.
	Max time.Duration
	// Factor multiplies the delay at each restart in a row; zero means 2.
	// It must not be below 1.
	Factor float64
	// Jitter spreads each delay uniformly over ±Jitter of itself, so
	// units that fail together do not restart together. Zero means 0.1; a
	// negative value means no jitter. It must not exceed 1.
	Jitter float64
	// ResetAfter is how long a run must last for the next restart to be
	// counted as the first again; zero means 10s.
	ResetAfter time.Duration
}

// Probe checks a unit's process. Exactly one of Exec, HTTP, TCP and Output
// must be set. As UnitSpec.Ready it is tried until it passes once; as
// UnitSpec.Alive it is tried for as long as the unit is ready, and fails
// the unit after Failures consecutive failures.
type Probe struct {
	// Exec is a command and its arguments; it passes on exit status 0
	// within Timeout. It runs with the environment and in the working
	// directory of the unit's process (RunOptions.Env and Dir), in its own
	// process group, which is killed when the check times out.
	Exec []string
	// HTTP is a URL; a GET passes on a 2xx or 3xx status within Timeout.
	// Redirects are not followed.
	HTTP string
	// TCP is a host:port; it passes when a connection opens within
	// Timeout.
	TCP string
	// Output is a regular expression (Go syntax); it passes once a line
	// of the current run's output matches, as the line arrives (the
	// timings below do not apply). It is for readiness only: an Alive
	// Output probe is refused.
	Output string
	// InitialDelay is waited before the first check; zero means none.
	InitialDelay time.Duration
	// Period is the time between the starts of two checks; zero means 1s.
	Period time.Duration
	// Timeout bounds one check; zero means 1s.
	Timeout time.Duration
	// Failures is how many consecutive failures fail an Alive probe;
	// zero means 3. A Ready probe never fails the unit.
	Failures int
}

// Condition is what a dependency must reach before its dependent starts.
type Condition string

// Dependency conditions.
const (
	// ConditionStarted holds once the dependency's process has started
	// (or the dependency has succeeded).
	ConditionStarted Condition = "started"
	// ConditionReady holds once the dependency is ready (or has
	// succeeded). It is the zero value.
	ConditionReady Condition = "ready"
	// ConditionSucceeded holds once the dependency has exited with status
	// 0 and will not be restarted: a one-shot, such as a migration. It
	// cannot be asked of a unit with RestartAlways.
	ConditionSucceeded Condition = "succeeded"
)

// Dependency is one entry of UnitSpec.After.
type Dependency struct {
	// Unit names the unit depended on: one of the same Up call, or one
	// added earlier.
	Unit string
	// Condition is what Unit must reach; empty means ConditionReady.
	Condition Condition
}

// UnitSpec describes a unit: a named process the service keeps alive.
type UnitSpec struct {
	// Name identifies the unit; it must be non-empty and contain no
	// slash, backslash or white space.
	Name string
	// Process is the process to run. Its context is the unit's, not the
	// caller's: the unit outlives the Up call. GracePeriod is the grace of
	// every stop of the unit.
	Process RunOptions
	// Restart is the restart policy; empty means RestartNever.
	Restart RestartPolicy
	// Backoff spaces automatic restarts.
	Backoff Backoff
	// MaxRestarts is how many restarts in a row are allowed (N restarts
	// means N+1 runs) before the unit is failed; 0 means no limit.
	MaxRestarts int
	// Ready, when set, decides when the unit is ready; without it the
	// unit is ready once its process has started.
	Ready *Probe
	// Alive, when set, is checked while the unit is ready; when it fails,
	// the process is stopped gracefully and the ending counts as a
	// failure.
	Alive *Probe
	// After lists the units that must reach a condition before this one
	// starts.
	After []Dependency
}

// UnitState is where a unit is in its lifecycle.
type UnitState string

// Unit states.
const (
	// UnitWaiting: added, waiting for its dependencies.
	UnitWaiting UnitState = "waiting"
	// UnitStarting: its process is starting or started, not yet ready.
	UnitStarting UnitState = "starting"
	// UnitReady: its process runs and is ready.
	UnitReady UnitState = "ready"
	// UnitBackoff: its process ended and will be started again after the
	// backoff delay.
	UnitBackoff UnitState = "backoff"
	// UnitStopping: its process is being stopped; it is not restarted
	// until the whole process tree has gone.
	UnitStopping UnitState = "stopping"
	// UnitStopped: stopped by Down (or shutdown); no process runs.
	UnitStopped UnitState = "stopped"
	// UnitSucceeded: its process exited with status 0 and will not be
	// restarted.
	UnitSucceeded UnitState = "succeeded"
	// UnitFailed: it ended for good with an error (UnitInfo.Error): its
	// process failed and may not be restarted, a dependency can never
	// hold, or it could not be stopped.
	UnitFailed UnitState = "failed"
)

// UnitInfo is a snapshot of a unit, safe to keep and to encode as JSON.
type UnitInfo struct {
	Name  string    `json:"name"`
	State UnitState `json:"state"`
	// Restarts counts the automatic restarts in a row: since the unit was
	// brought up or restarted by hand, or since a run lasted
	// Backoff.ResetAfter.
	Restarts int `json:"restarts"`
	// ProcessID and PID are those of the current process, or of the last
	// one once it has ended; empty and 0 until a run's process has
	// started (before the first, and from the start of each run until its
	// process is up).
	ProcessID string `json:"processId"`
	PID       int    `json:"pid"`
	// ExitCode is the exit status of the last run that ended (-1 for a
	// signal, or a process that could not start).
	ExitCode int `json:"exitCode"`
	// Since is when the unit entered State.
	Since time.Time `json:"since"`
	// Error is, while the unit is starting, why it is not yet ready: its
	// Ready probe's last failure, once a check has failed. Otherwise it
	// is why the unit failed or last ended badly.
	Error string `json:"error"`
}

// ActionUnitChanged is broadcast every time a unit changes state, in the
// order the changes happen, across all units: a change that causes
// another (a dependency becoming ready, say, and its dependent starting)
// is broadcast first. The events are broadcast one at a time from a
// goroutine of their own, never from one that runs a unit, so a handler
// may call anything of the service, Down or Restart of the unit included.
// Up, Down and Restart return once the changes they saw have been
// broadcast (unless called from such a handler).
type ActionUnitChanged struct {
	Name      string
	State     UnitState
	Restarts  int
	ProcessID string
	Error     string
}

// Up adds the units in specs and starts each once its dependencies hold.
// It refuses the whole call, starting nothing, when a spec is invalid, a
// name is taken by a unit that is not stopped, failed or succeeded (such a
// unit is replaced), a dependency is unknown or would make a cycle. It
// returns once every unit of the call has been ready or has succeeded, or
// with an error naming one that failed or was stopped before that (or,
// when ctx ends first, those not ready yet). ctx bounds only the wait:
// the units keep running after Up returns, also when ctx ends first.
func (s *Service) Up(ctx context.Context, specs ...UnitSpec) error {
	return s.units.up(ctx, s, specs)
}

// Down stops the named units, and every unit that depends on them, in
// reverse dependency order: a unit is stopped only once every unit that
// depends on it, directly or not, has stopped; units that run no process
// (waiting, in backoff) are stopped at once. Succeeded and failed units
// stay so. Each stop is graceful, with the unit's grace
// period, and counts as done once the unit's whole process tree has gone.
// With no names it stops every unit. It returns once they are all
// stopped, or when ctx ends (the stops go on). No stopped unit is
// restarted until Up or Restart asks for it. A stop is done once the
// process's events have been delivered, so a handler of a unit process's
// own events (ActionProcessOutput, say) must not wait for Down or Restart
// of that unit: hand the call to a goroutine.
func (s *Service) Down(ctx context.Context, names ...string) error {
	return s.units.down(ctx, names)
}

// Restart stops the unit's process, if it runs, and starts a new one once
// the old process tree has gone; a unit that is not running is started
// again once its dependencies hold. The restart count goes back to 0. It
// returns once the unit is ready or succeeded, or with the reason it is
// not; ctx bounds only the wait.
func (s *Service) Restart(ctx context.Context, name string) error {
	return s.units.restart(ctx, s, name)
}

// Unit returns a snapshot of the named unit, or an error matching
// ErrUnitNotFound.
func (s *Service) Unit(name string) (UnitInfo, error) {
	return s.units.info(name)
}

// Units returns a snapshot of every unit, in the order they were added.
func (s *Service) Units() []UnitInfo {
	return s.units.infos()
}
