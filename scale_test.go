package process

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestService_ThousandConcurrentChildren_StartRunAndStopCleanly starts
// 1,000 children from concurrent goroutines, checks each is running in its
// own group, stops them all through OnShutdown and checks no PID survives.
func TestService_ThousandConcurrentChildren_StartRunAndStopCleanly(t *testing.T) {
	const children = 1000
	c, svc := newTestService(t, Options{GracePeriod: 2 * time.Second})

	procs := make([]*Process, children)
	errs := make([]error, children)
	var wg sync.WaitGroup
	for i := range children {
		wg.Go(func() {
			r := svc.StartWithOptions(context.Background(), RunOptions{Command: "sleep", Args: []string{"300"}})
			if !r.OK {
				errs[i] = r.Value.(error)
				return
			}
			procs[i] = r.Value.(*Process)
		})
	}
	wg.Wait()
	for i, p := range procs {
		require.NoError(t, errs[i], "child %d", i)
		killOnCleanup(t, p.PID)
	}

	require.Len(t, svc.Running(), children)
	for _, p := range procs {
		_, pgrp, ok := procStat(p.PID)
		require.True(t, ok, "pid %d exists", p.PID)
		assert.Equal(t, p.PID, pgrp, "pid %d leads its own group", p.PID)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := c.ServiceShutdown(ctx)
	require.True(t, r.OK, "shutdown: %v", r.Value)
	for _, p := range procs {
		assert.False(t, p.IsRunning(), "process %s", p.ID)
		assert.Equal(t, StatusKilled, p.Info().Status)
		assert.False(t, pidAlive(p.PID), "pid %d survived shutdown", p.PID)
	}
	assert.Empty(t, svc.Running())
}
