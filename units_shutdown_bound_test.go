package process

import (
	"context"
	"sync"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 20, items 3 and 4: OnShutdown bounds itself with units as without.

// A unit whose process has an event handler that never returns cannot
// hold OnShutdown up: its process is stopped, and OnShutdown gives up on
// its events as it does for a process that is not a unit's, saying so.
func TestUnitShutdown_ProcessHandlerNeverReturns_ShutdownStillReturns(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // before the service's own cleanup
	entered := make(chan struct{})
	var once sync.Once
	opts := shell("echo hello; exec sleep 300")
	opts.OnOutput = func(ActionProcessOutput) {
		once.Do(func() { close(entered) })
		<-release
	}
	require.NoError(t, svc.Up(context.Background(), UnitSpec{Name: "held", Process: opts}))
	p := unitProcess(t, svc, "held")
	<-entered

	result := make(chan core.Result, 1)
	go func() { result <- svc.OnShutdown(context.Background()) }()
	r := awaitResult(t, result, "OnShutdown did not return")
	require.False(t, r.OK, "the process's events were never all delivered")
	assert.ErrorContains(t, r.Value.(error), "1 of 1 processes not done")
	assert.False(t, pidAlive(p.PID), "the unit's process was stopped")
	assert.Equal(t, "SIGTERM", p.Info().Signal)
}

// OnShutdown's ctx ends the grace period of a unit's stop as it does a
// process's; ended before the processes were, it makes OnShutdown fail
// with ctx.Err(), with every process and descendant killed.
func TestUnitShutdown_CtxEndedFirst_CutsEveryGraceAndReturnsCtxErr(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	// Everything ignores SIGTERM, the grandchild too, for ten minutes.
	script := `trap "" TERM; sh -c 'while :; do sleep 0.05; done' & echo $!; while :; do sleep 0.05; done`
	unitOpts := RunOptions{Command: "sh", Args: []string{"-c", script}, GracePeriod: 10 * time.Minute}
	require.NoError(t, svc.Up(context.Background(), UnitSpec{Name: "stubborn", Process: unitOpts}))
	unitProc := unitProcess(t, svc, "stubborn")
	plain := startProcess(t, svc, unitOpts)
	var grandchildren []int
	for _, p := range []*Process{unitProc, plain} {
		lines := awaitOutput(t, p, 10*time.Second, "the grandchild's PID", func(lines []string) bool {
			_, ok := pidLine(lines)
			return ok
		})
		gc, _ := pidLine(lines)
		killOnCleanup(t, gc)
		grandchildren = append(grandchildren, gc)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	result := make(chan core.Result, 1)
	go func() { result <- svc.OnShutdown(ctx) }()
	r := awaitResult(t, result, "OnShutdown waited for the ten-minute grace")
	require.False(t, r.OK)
	assert.ErrorIs(t, r.Value.(error), context.Canceled)
	for _, p := range []*Process{unitProc, plain} {
		assert.False(t, pidAlive(p.PID), "process %d killed", p.PID)
		assert.Equal(t, "SIGKILL", p.Info().Signal)
	}
	for _, gc := range grandchildren {
		assert.False(t, pidAlive(gc), "grandchild %d killed", gc)
	}
	info, err := svc.Unit("stubborn")
	require.NoError(t, err)
	assert.Equal(t, UnitStopped, info.State)
}

// A direct OnShutdown whose ctx ended when there was nothing to stop has
// nothing cut short: it succeeds.
func TestUnitShutdown_CtxEndedWithNothingRunning_Succeeds(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := svc.OnShutdown(ctx)
	assert.True(t, r.OK, "%v", r.Value)
}
