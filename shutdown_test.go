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

// Issue 9, item 3: once OnShutdown has begun, every start is refused, and
// nothing started before is left behind.

func TestService_StartAfterShutdown_RefusedWithErrShuttingDown(t *testing.T) {
	c, svc := newTestService(t, Options{})
	require.True(t, c.ServiceShutdown(context.Background()).OK)

	ctx := context.Background()
	for name, r := range map[string]core.Result{
		"Start":         svc.Start(ctx, "sleep", "300"),
		"Run":           svc.Run(ctx, "true"),
		"process.start": c.Action("process.start").Run(ctx, core.NewOptions(core.Option{Key: "command", Value: "sleep"})),
		"process.run":   c.Action("process.run").Run(ctx, core.NewOptions(core.Option{Key: "command", Value: "true"})),
	} {
		require.False(t, r.OK, "%s after shutdown", name)
		err, _ := r.Value.(error)
		assert.ErrorIs(t, err, ErrShuttingDown, "%s after shutdown", name)
	}
	assert.Empty(t, svc.List(), "nothing was started")
}

func TestService_ShutdownRacingStarts_LeavesNoChildBehind(t *testing.T) {
	c, svc := newTestService(t, Options{GracePeriod: time.Second})

	const starters = 24
	var mu sync.Mutex
	var pids []int
	var wg sync.WaitGroup
	begin := make(chan struct{})
	for range starters {
		wg.Go(func() {
			<-begin
			for {
				r := svc.Start(context.Background(), "sleep", "300")
				if !r.OK {
					assert.ErrorIs(t, r.Value.(error), ErrShuttingDown)
					return
				}
				p := r.Value.(*Process)
				killOnCleanup(t, p.PID)
				mu.Lock()
				pids = append(pids, p.PID)
				mu.Unlock()
			}
		})
	}
	close(begin)
	require.Eventually(t, func() bool { return len(svc.List()) >= starters }, 30*time.Second, time.Millisecond,
		"the starters are under way")
	r := c.ServiceShutdown(context.Background())
	wg.Wait()

	require.True(t, r.OK, "shutdown: %v", r.Value)
	mu.Lock()
	defer mu.Unlock()
	for _, pid := range pids {
		assert.False(t, pidAlive(pid), "child %d outlived the shutdown", pid)
	}
	assert.Empty(t, svc.Running())
}
