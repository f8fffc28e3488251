package process

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/require"
)

// Test helpers of the unit tests.

// unitEvent is an ActionUnitChanged with the time it was received.
type unitEvent struct {
	ActionUnitChanged
	at time.Time
}

func (e unitEvent) String() string { return e.Name + ":" + string(e.State) }

// unitRecorder collects the unit events of a Core, in order, and the PIDs
// of every process started, which it kills by PID when the test ends if
// they are still alive.
type unitRecorder struct {
	mu      sync.Mutex
	events  []unitEvent
	started []ActionProcessStarted
	exited  []ActionProcessExited
	onStart func(ActionProcessStarted) // called, if set, for each start
}

// newUnitService returns a started Core with the process service (whose
// unit clock is clock, when not nil) and a recorder of its events.
func newUnitService(t *testing.T, clock unitClock) (*core.Core, *Service, *unitRecorder) {
	t.Helper()
	rec := &unitRecorder{}
	// Registered before the service's cleanup, so it runs after it: what
	// shutdown left alive is killed by PID.
	t.Cleanup(func() {
		for _, s := range rec.starts() {
			if pidAlive(s.PID) {
				_ = syscall.Kill(s.PID, syscall.SIGKILL)
			}
		}
	})
	c, svc := newTestService(t, Options{GracePeriod: 2 * time.Second})
	if clock != nil {
		svc.units.clock = clock
	}
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		rec.mu.Lock()
		switch e := msg.(type) {
		case ActionUnitChanged:
			rec.events = append(rec.events, unitEvent{ActionUnitChanged: e, at: time.Now()})
		case ActionProcessStarted:
			rec.started = append(rec.started, e)
		case ActionProcessExited:
			rec.exited = append(rec.exited, e)
		}
		onStart := rec.onStart
		rec.mu.Unlock()
		if e, isStart := msg.(ActionProcessStarted); isStart && onStart != nil {
			onStart(e)
		}
		return core.Result{OK: true}
	})
	return c, svc, rec
}

// all returns the unit events so far.
func (r *unitRecorder) all() []unitEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]unitEvent(nil), r.events...)
}

// of returns the events of the named unit.
func (r *unitRecorder) of(name string) []unitEvent {
	var out []unitEvent
	for _, e := range r.all() {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// states returns the states the named unit went through, in order.
func (r *unitRecorder) states(name string) []UnitState {
	var out []UnitState
	for _, e := range r.of(name) {
		out = append(out, e.State)
	}
	return out
}

// index returns the position of the first event of unit name entering
// state at or after from, or -1.
func (r *unitRecorder) index(name string, state UnitState, from int) int {
	events := r.all()
	for i := max(from, 0); i < len(events); i++ {
		if events[i].Name == name && events[i].State == state {
			return i
		}
	}
	return -1
}

// starts returns the process starts so far.
func (r *unitRecorder) starts() []ActionProcessStarted {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ActionProcessStarted(nil), r.started...)
}

// awaitUnit waits until the named unit is in state (and, if check is set,
// check holds for its info), failing the test after within.
func awaitUnit(t *testing.T, svc *Service, name string, state UnitState, within time.Duration) UnitInfo {
	t.Helper()
	var info UnitInfo
	require.Eventually(t, func() bool {
		var err error
		info, err = svc.Unit(name)
		return err == nil && info.State == state
	}, within, 2*time.Millisecond, "unit %q never %s; last: %+v", name, state, &info)
	return info
}

// unitProcess returns the current process of the named unit, which must
// have one.
func unitProcess(t *testing.T, svc *Service, name string) *Process {
	t.Helper()
	info, err := svc.Unit(name)
	require.NoError(t, err)
	require.NotEmpty(t, info.ProcessID, "unit %q has no process: %+v", name, info)
	p, err := svc.Get(info.ProcessID)
	require.NoError(t, err)
	return p
}

// upAsync runs Up in a goroutine and returns where its error arrives.
func upAsync(svc *Service, ctx context.Context, specs ...UnitSpec) <-chan error {
	done := make(chan error, 1)
	go func() { done <- svc.Up(ctx, specs...) }()
	return done
}

// awaitErr waits for an error sent on ch.
func awaitErr(t *testing.T, ch <-chan error, within time.Duration, what string) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(within):
		t.Fatalf("%s did not return within %v", what, within)
		return nil
	}
}

// sleeper is a unit process that runs until it is stopped.
func sleeper() RunOptions {
	return RunOptions{Command: "sleep", Args: []string{"300"}, GracePeriod: time.Second}
}

// shell is a unit process running script with sh -c.
func shell(script string) RunOptions {
	return RunOptions{Command: "sh", Args: []string{"-c", script}, GracePeriod: time.Second}
}

// fakeClock is a unit clock that tests drive: now moves only with
// advance, and each afterFunc is handed to the test through timers.
type fakeClock struct {
	mu     sync.Mutex
	at     time.Time
	timers chan fakeTimer
}

// fakeTimer is a pending afterFunc call.
type fakeTimer struct {
	delay     time.Duration
	fire      func()
	cancelled *bool
	clock     *fakeClock
}

func newFakeClock() *fakeClock {
	return &fakeClock{at: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), timers: make(chan fakeTimer, 1024)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.at = c.at.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) afterFunc(d time.Duration, f func()) func() bool {
	cancelled := new(bool)
	c.timers <- fakeTimer{delay: d, fire: f, cancelled: cancelled, clock: c}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := *cancelled
		*cancelled = true
		return !was
	}
}

// next waits for the next timer asked for.
func (c *fakeClock) next(t *testing.T) fakeTimer {
	t.Helper()
	select {
	case tm := <-c.timers:
		return tm
	case <-time.After(10 * time.Second):
		t.Fatal("no backoff timer was set")
		return fakeTimer{}
	}
}

// run advances the clock by the timer's delay and fires it, unless it was
// cancelled.
func (tm fakeTimer) run() {
	tm.clock.mu.Lock()
	tm.clock.at = tm.clock.at.Add(tm.delay)
	cancelled := *tm.cancelled
	*tm.cancelled = true
	tm.clock.mu.Unlock()
	if !cancelled {
		tm.fire()
	}
}

// eventNames renders events as "name:state" for messages.
func eventNames(events []unitEvent) string {
	parts := make([]string, len(events))
	for i, e := range events {
		parts[i] = fmt.Sprint(e)
	}
	return strings.Join(parts, " ")
}
