package process

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestService_FourThousandChildren_FitTheDescriptorBudgetAndLeaveNothingOpen
// starts 4,000 idle children from concurrent goroutines (DESIGN §6: they
// must fit under a 20,000-descriptor limit), checks in /proc that each is
// running and leads its own group, and that the manager holds at most four
// descriptors per child; then stops them all through OnShutdown and checks
// that no PID survives and no descriptor is left open.
func TestService_FourThousandChildren_FitTheDescriptorBudgetAndLeaveNothingOpen(t *testing.T) {
	const children, starters = 4000, 16
	c, svc := newTestService(t, Options{GracePeriod: 2 * time.Second})
	warmUp(t, svc) // the shared watch and the forking threads exist from here on
	baseline := openFDs(t)

	procs := make([]*Process, children)
	errs := make([]error, children)
	var wg sync.WaitGroup
	for g := range starters {
		wg.Go(func() {
			for i := g; i < children; i += starters {
				r := svc.StartWithOptions(context.Background(), RunOptions{Command: "sleep", Args: []string{"300"}})
				if !r.OK {
					errs[i] = r.Value.(error)
					continue
				}
				procs[i] = r.Value.(*Process)
			}
		})
	}
	wg.Wait()
	for i, p := range procs {
		if p != nil {
			killOnCleanup(t, p.PID)
		}
		require.NoError(t, errs[i], "child %d", i)
	}

	require.Len(t, svc.Running(), children)
	for _, p := range procs {
		_, pgrp, ok := procStat(p.PID)
		require.True(t, ok, "pid %d exists", p.PID)
		assert.Equal(t, p.PID, pgrp, "pid %d leads its own group", p.PID)
	}
	perChild := float64(openFDs(t)-baseline) / children
	assert.LessOrEqual(t, perChild, 4.0, "descriptors held per idle child")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := c.ServiceShutdown(ctx)
	require.True(t, r.OK, "shutdown: %v", r.Value)
	for _, p := range procs {
		assert.False(t, p.IsRunning(), "process %s", p.ID)
		assert.Equal(t, StatusKilled, p.Info().Status)
		assert.False(t, pidAlive(p.PID), "pid %d survived shutdown", p.PID)
	}
	assert.Empty(t, svc.Running())
	assert.Eventually(t, func() bool { return openFDs(t) <= baseline }, 10*time.Second, 20*time.Millisecond,
		"descriptors still open after shutdown: %d, %d before the children", openFDs(t), baseline)
}

// warmUp starts and kills one child, so what the service makes once for
// all children exists before a descriptor baseline is taken.
func warmUp(t *testing.T, svc *Service) {
	t.Helper()
	r := svc.StartWithOptions(context.Background(), RunOptions{Command: "sleep", Args: []string{"300"}})
	require.True(t, r.OK, "start: %v", r.Value)
	p := r.Value.(*Process)
	killOnCleanup(t, p.PID)
	require.NoError(t, p.Kill())
	<-p.Done()
}
