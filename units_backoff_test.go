package process

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnitBackoff_Delay_GrowsByFactorUpToMax(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Factor: 3, Jitter: -1}.withDefaults()
	want := []time.Duration{100, 300, 900, 1000, 1000}
	for n, w := range want {
		assert.Equal(t, w*time.Millisecond, b.delay(n, 0.7), "restart %d", n)
	}
	assert.Equal(t, time.Second, b.delay(10_000, 0.5), "a huge n stays at Max")
}

func TestUnitBackoff_Defaults(t *testing.T) {
	b := Backoff{}.withDefaults()
	assert.Equal(t, Backoff{Initial: 500 * time.Millisecond, Max: 30 * time.Second, Factor: 2, Jitter: 0.1, ResetAfter: 10 * time.Second}, b)
	assert.Zero(t, Backoff{Jitter: -0.5}.withDefaults().Jitter, "a negative jitter means none")
	assert.Equal(t, time.Minute, Backoff{Initial: time.Minute}.withDefaults().Max, "the default Max is never below Initial")
}

func TestUnitBackoff_Jitter_StaysWithinRangeAndCoversIt(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: time.Minute, Factor: 2, Jitter: 0.25}.withDefaults()
	for n := range 4 {
		base := time.Duration(float64(time.Second) * float64(int(1)<<n))
		lo, hi := time.Duration(float64(base)*0.75), time.Duration(float64(base)*1.25)
		assert.Equal(t, lo, b.delay(n, 0), "random 0 gives the low end")
		seenLow, seenHigh := false, false
		for range 2000 {
			d := b.delay(n, rand.Float64())
			require.GreaterOrEqual(t, d, lo)
			require.Less(t, d, hi)
			seenLow = seenLow || d < base-base/8
			seenHigh = seenHigh || d > base+base/8
		}
		assert.True(t, seenLow && seenHigh, "jitter spreads both ways around %v", base)
	}
}

// A crash-looping unit's restarts wait Initial·Factorⁿ, capped at Max, as
// asked of the (injected) clock; after MaxRestarts it is failed with
// Restarts == MaxRestarts.
func TestUnitUp_OnFailure_BackoffDelaysAndMaxRestarts(t *testing.T) {
	clock := newFakeClock()
	_, svc, rec := newUnitService(t, clock)
	spec := UnitSpec{
		Name:        "crasher",
		Process:     shell("exit 3"),
		Restart:     RestartOnFailure,
		Backoff:     Backoff{Initial: 100 * time.Millisecond, Max: 400 * time.Millisecond, Factor: 2, Jitter: -1},
		MaxRestarts: 4,
	}
	require.NoError(t, svc.Up(context.Background(), spec), "ready once started: no Ready probe")
	var delays []time.Duration
	for range 4 {
		tm := clock.next(t)
		delays = append(delays, tm.delay)
		tm.run()
	}
	info := awaitUnit(t, svc, "crasher", UnitFailed, 10*time.Second)
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond}, delays)
	assert.Equal(t, 4, info.Restarts)
	assert.Equal(t, 3, info.ExitCode)
	assert.Contains(t, info.Error, "gave up after 4 restarts in a row")
	assert.Contains(t, info.Error, "exited with status 3")
	assert.Len(t, rec.starts(), 5, "N restarts means N+1 runs")
	select {
	case tm := <-clock.timers:
		t.Fatalf("a restart was scheduled after the unit failed: %v", tm.delay)
	default:
	}
}

// With the wall clock, each restart comes no sooner than its delay allows
// and not much later, measured between the events.
func TestUnitUp_OnFailure_RestartDelaysWithinBoundsOfEventTimes(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	const jitter = 0.2
	spec := UnitSpec{
		Name:        "crasher",
		Process:     shell("exit 1"),
		Restart:     RestartOnFailure,
		Backoff:     Backoff{Initial: 100 * time.Millisecond, Max: 300 * time.Millisecond, Factor: 2, Jitter: jitter},
		MaxRestarts: 3,
	}
	require.NoError(t, svc.Up(context.Background(), spec))
	awaitUnit(t, svc, "crasher", UnitFailed, 20*time.Second)
	events := rec.of("crasher")
	var gaps []time.Duration
	for i, e := range events {
		if e.State == UnitBackoff {
			require.Less(t, i+1, len(events), "a backoff is followed by a start: %s", eventNames(events))
			require.Equal(t, UnitStarting, events[i+1].State)
			gaps = append(gaps, events[i+1].at.Sub(e.at))
		}
	}
	require.Len(t, gaps, 3, eventNames(events))
	// Event times are taken a little after the changes: allow that much
	// early, and generous lateness on a loaded machine.
	const early, late = 10 * time.Millisecond, 2 * time.Second
	for n, base := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond} {
		lo := time.Duration(float64(base)*(1-jitter)) - early
		hi := time.Duration(float64(base)*(1+jitter)) + late
		assert.GreaterOrEqual(t, gaps[n], lo, "restart %d came too early", n)
		assert.Less(t, gaps[n], hi, "restart %d came too late", n)
	}
}

// The injected random source sets where in the jitter range a delay falls.
func TestUnitUp_Jitter_UsesTheRandomSource(t *testing.T) {
	clock := newFakeClock()
	_, svc, _ := newUnitService(t, clock)
	randoms := []float64{0, 0.999999, 0.5}
	svc.units.random = func() float64 {
		r := randoms[0]
		randoms = randoms[1:]
		return r
	}
	spec := UnitSpec{
		Name:        "crasher",
		Process:     shell("exit 1"),
		Restart:     RestartOnFailure,
		Backoff:     Backoff{Initial: time.Second, Max: time.Second, Jitter: 0.5},
		MaxRestarts: 3,
	}
	require.NoError(t, svc.Up(context.Background(), spec))
	var delays []time.Duration
	for range 3 {
		tm := clock.next(t)
		delays = append(delays, tm.delay)
		tm.run()
	}
	awaitUnit(t, svc, "crasher", UnitFailed, 10*time.Second)
	assert.Equal(t, 500*time.Millisecond, delays[0])
	assert.InDelta(t, float64(1500*time.Millisecond), float64(delays[1]), float64(time.Millisecond))
	assert.Equal(t, time.Second, delays[2])
}

// A run that lasts ResetAfter puts the next restart back at Initial and
// the count of restarts in a row back to 1.
func TestUnitUp_StableRun_ResetsBackoff(t *testing.T) {
	clock := newFakeClock()
	_, svc, _ := newUnitService(t, clock)
	spec := UnitSpec{
		Name:    "flaky",
		Process: shell("read line; exit 1"),
		Restart: RestartOnFailure,
		Backoff: Backoff{Initial: time.Second, Max: time.Minute, Factor: 2, Jitter: -1, ResetAfter: time.Minute},
	}
	require.NoError(t, svc.Up(context.Background(), spec))
	crash := func() fakeTimer {
		t.Helper()
		awaitUnit(t, svc, "flaky", UnitReady, 10*time.Second)
		require.NoError(t, unitProcess(t, svc, "flaky").SendInput("crash\n"))
		return clock.next(t)
	}
	tm := crash()
	assert.Equal(t, time.Second, tm.delay)
	tm.run()
	tm = crash()
	assert.Equal(t, 2*time.Second, tm.delay)
	info, err := svc.Unit("flaky")
	require.NoError(t, err)
	assert.Equal(t, 2, info.Restarts)
	tm.run()

	awaitUnit(t, svc, "flaky", UnitReady, 10*time.Second)
	clock.advance(time.Minute) // a stable run
	tm = crash()
	assert.Equal(t, time.Second, tm.delay, "back to Initial after a stable run")
	info, err = svc.Unit("flaky")
	require.NoError(t, err)
	assert.Equal(t, 1, info.Restarts, "the count starts again")
	tm.run()
	awaitUnit(t, svc, "flaky", UnitReady, 10*time.Second)
}
