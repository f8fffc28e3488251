package process

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 20: the unit manager's hardening.

// A handler of a unit event runs on the delivery goroutine, and knows it:
// when one delivery goroutine ends as the next begins, the old one must
// not erase the new one's thread, or a handler calling Up, Down or
// Restart would wait for its own return. Restarts of units that fail at
// once hand the delivery over thousands of times; readers of the set keep
// its lock contended, which makes the hand-over race likely (under -race,
// a few dozen times a run before the fix).
func TestUnits_DeliveryGoroutineHandover_HandlersAlwaysKnownAsTheDeliverer(t *testing.T) {
	c, svc, _ := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Up(ctx, UnitSpec{Name: "broken", Process: shell("exit 1")}))
	awaitUnit(t, svc, "broken", UnitFailed, 10*time.Second)
	const workers = 4
	names := make([]string, workers)
	for i := range names {
		names[i] = "dependent-" + string(rune('a'+i))
		require.Error(t, svc.Up(ctx, UnitSpec{Name: names[i], Process: sleeper(), After: []Dependency{{Unit: "broken"}}}))
	}
	var handled, strangers atomic.Int64
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if _, ok := msg.(ActionUnitChanged); ok {
			handled.Add(1)
			if !svc.units.deliveringHere() {
				strangers.Add(1)
			}
		}
		return core.Result{OK: true}
	})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 { // contention on the set's lock makes hand-overs frequent
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					_ = svc.Units()
				}
			}
		})
	}
	for _, name := range names {
		wg.Go(func() {
			for range 1000 {
				// waiting → failed: two events, delivered before Restart returns.
				_ = svc.Restart(ctx, name)
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	require.Positive(t, handled.Load())
	assert.Zero(t, strangers.Load(), "unit events whose handler was not told it runs on the delivery goroutine, of %d", handled.Load())
}

// An unknown unit name is reported once, not as "unit: unit …: unit not
// found", and still matches ErrUnitNotFound.
func TestUnits_UnknownName_ErrorSaysItOnce(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	ctx := context.Background()
	_, err := svc.Unit("x")
	assert.ErrorIs(t, err, ErrUnitNotFound)
	assert.EqualError(t, err, `process: unit "x" not found`)
	err = svc.Down(ctx, "x")
	assert.ErrorIs(t, err, ErrUnitNotFound)
	assert.EqualError(t, err, `process: down: unit "x" not found`)
	err = svc.Restart(ctx, "x")
	assert.ErrorIs(t, err, ErrUnitNotFound)
	assert.EqualError(t, err, `process: restart: unit "x" not found`)
}

// A unit process stopped by its RunOptions.Timeout is said to have timed
// out, even when it then exits with status 0.
func TestUnits_ProcessTimeout_ErrorSaysItTimedOut(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	opts := shell(`trap "exit 0" TERM; while :; do sleep 0.01; done`)
	opts.Timeout = 200 * time.Millisecond
	require.NoError(t, svc.Up(context.Background(), UnitSpec{Name: "slow", Process: opts}))
	info := awaitUnit(t, svc, "slow", UnitFailed, 30*time.Second)
	assert.Equal(t, "timed out after 200ms, then exited with status 0", info.Error)
	assert.Equal(t, 0, info.ExitCode)
}
