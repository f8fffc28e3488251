package process

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// OnShutdown downs every unit first, in reverse dependency order, and no
// unit starts or restarts once it has begun: not one that always
// restarts, not one whose backoff timer fires during shutdown.
func TestUnitShutdown_DownsEveryUnitInOrderAndNoneRestarts(t *testing.T) {
	clock := newFakeClock()
	c, svc, rec := newUnitService(t, clock)
	ctx := context.Background()
	require.NoError(t, svc.Up(ctx,
		UnitSpec{Name: "db", Process: sleeper(), Restart: RestartAlways},
		UnitSpec{Name: "web", Process: sleeper(), Restart: RestartAlways, After: []Dependency{{Unit: "db"}}},
		UnitSpec{Name: "crasher", Process: shell("exit 1"), Restart: RestartOnFailure},
	))
	pending := clock.next(t) // crasher waits in backoff
	awaitUnit(t, svc, "crasher", UnitBackoff, 10*time.Second)
	procs := map[string]*Process{"db": unitProcess(t, svc, "db"), "web": unitProcess(t, svc, "web")}
	mark := len(rec.all())

	r := c.ServiceShutdown(ctx)
	require.True(t, r.OK, "shutdown: %v", r.Value)
	for _, info := range svc.Units() {
		assert.Equal(t, UnitStopped, info.State, info.Name)
	}
	for name, p := range procs {
		assert.False(t, p.IsRunning(), name)
		assert.Equal(t, "SIGTERM", p.Info().Signal, "%s stopped gracefully", name)
	}
	after := rec.all()[mark:]
	for _, e := range after {
		assert.NotEqual(t, UnitStarting, e.State, "nothing starts during shutdown: %s", eventNames(after))
	}
	assert.Less(t, rec.index("web", UnitStopped, mark), rec.index("db", UnitStopping, mark), eventNames(after))

	pending.run() // the old backoff timer fires late: nothing happens
	info, err := svc.Unit("crasher")
	require.NoError(t, err)
	assert.Equal(t, UnitStopped, info.State)
	assert.Len(t, rec.starts(), 3, "no process started after shutdown began")

	err = svc.Up(ctx, UnitSpec{Name: "late", Process: sleeper()})
	assert.True(t, errors.Is(err, ErrShuttingDown), "%v", err)
	assert.True(t, errors.Is(svc.Restart(ctx, "db"), ErrShuttingDown))
}

// A unit that crashes on its own while shutdown is under way is not
// restarted.
func TestUnitShutdown_CrashDuringShutdown_NotRestarted(t *testing.T) {
	c, svc, rec := newUnitService(t, nil)
	ctx := context.Background()
	// "slow" holds shutdown in its grace period while "crasher" crashes.
	require.NoError(t, svc.Up(ctx,
		UnitSpec{Name: "slow", Process: RunOptions{Command: "sh", Args: []string{"-c", `trap "" TERM; while :; do sleep 0.01; done`}, GracePeriod: 300 * time.Millisecond}},
		UnitSpec{Name: "crasher", Process: shell("read x; exit 1"), Restart: RestartAlways, Backoff: Backoff{Initial: time.Millisecond, Jitter: -1},
			After: []Dependency{{Unit: "slow"}}},
	))
	crasher := unitProcess(t, svc, "crasher")
	mark := len(rec.all())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.ServiceShutdown(ctx)
	}()
	require.Eventually(t, func() bool {
		info, _ := svc.Unit("crasher")
		return info.State != UnitReady
	}, 10*time.Second, time.Millisecond)
	_ = crasher.SendInput("x\n")
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("shutdown did not finish")
	}
	for _, e := range rec.all()[mark:] {
		assert.NotEqual(t, UnitStarting, e.State)
		assert.NotEqual(t, UnitBackoff, e.State)
	}
	for _, info := range svc.Units() {
		assert.Equal(t, UnitStopped, info.State, info.Name)
	}
}
