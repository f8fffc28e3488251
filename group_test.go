package process

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 9, item 7: the table owns a process's group until it is empty, so
// Kill, Shutdown and OnShutdown reach the members a leader that exited on
// its own left behind. (Only a detached process's leftovers outlive its
// leader: those of any other process are stopped when it exits; see
// containment_test.go.)

// scriptLeaveGrandchild starts a grandchild, prints its PID and exits.
const scriptLeaveGrandchild = `sleep 300 & echo "$!"`

// startLeaderThatLeaves starts scriptLeaveGrandchild, detached, and waits
// until the leader has exited, leaving its grandchild in its group.
func startLeaderThatLeaves(t *testing.T, svc *Service, script string) (*Process, int) {
	t.Helper()
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", script}, Detach: true})
	killGroupOnCleanup(t, p.PID)
	gc := awaitGrandchild(t, p)
	require.Eventually(t, func() bool { return !p.IsRunning() }, 10*time.Second, time.Millisecond, "the leader exits")
	require.True(t, pidAlive(gc), "the grandchild %d lives on", gc)
	return p, gc
}

func TestProcess_Kill_LeaderExited_ReachesItsGroup(t *testing.T) {
	_, svc := newTestService(t, Options{})
	p, gc := startLeaderThatLeaves(t, svc, scriptLeaveGrandchild)

	require.NoError(t, p.Kill(), "members of the group were alive")
	waitGone(t, gc, 10*time.Second)
	waitDone(t, p, 10*time.Second)
	assert.Equal(t, StatusExited, p.Info().Status, "the leader exited on its own")
	assert.Equal(t, 0, p.Info().ExitCode)
	assert.ErrorIs(t, p.Kill(), ErrProcessNotRunning, "nothing of the group is left")
}

func TestProcess_Shutdown_LeaderExited_KillsTermIgnoringMemberAfterGrace(t *testing.T) {
	const grace = 300 * time.Millisecond
	_, svc := newTestService(t, Options{GracePeriod: grace})
	p, gc := startLeaderThatLeaves(t, svc, `(trap "" TERM; exec sleep 300) & echo "$!"`)
	require.Eventually(t, func() bool { return ignoresSignal(gc, syscall.SIGTERM) }, 10*time.Second, time.Millisecond)

	started := time.Now()
	require.NoError(t, awaitShutdown(t, p, shutdownAsync(p), 10*time.Second))
	assert.GreaterOrEqual(t, time.Since(started), grace, "the member got its grace period")
	waitGone(t, gc, 10*time.Second)
	assert.ErrorIs(t, p.Shutdown(), ErrProcessNotRunning)
}

func TestService_ServiceShutdown_LeaderExited_StopsItsGroup(t *testing.T) {
	c, svc := newTestService(t, Options{GracePeriod: time.Second})
	p, gc := startLeaderThatLeaves(t, svc, scriptLeaveGrandchild)
	waitDone(t, p, 10*time.Second)

	r := c.ServiceShutdown(context.Background())
	require.True(t, r.OK, "shutdown: %v", r.Value)
	waitGone(t, gc, 10*time.Second)
}

func TestService_Run_ContextCancelled_ReturnsOnlyOnceTheGroupIsHandled(t *testing.T) {
	const grace = 500 * time.Millisecond
	_, svc := newTestService(t, Options{GracePeriod: grace})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	result := make(chan string, 1)
	go func() {
		// The leader dies of SIGTERM; its member ignores it.
		r := svc.RunWithOptions(ctx, RunOptions{Command: "sh", Args: []string{"-c",
			`(trap "" TERM; echo ready; exec sleep 300) & wait`}})
		result <- r.Value.(error).Error()
	}()
	var p *Process
	require.Eventually(t, func() bool {
		for _, q := range svc.List() {
			p = q
		}
		return p != nil
	}, 10*time.Second, time.Millisecond)
	killGroupOnCleanup(t, p.PID)
	awaitReady(t, p)
	members := groupMembers(p.PID)
	require.Len(t, members, 2, "the leader and its member")

	begun := time.Now()
	cancel()
	select {
	case msg := <-result:
		assert.GreaterOrEqual(t, time.Since(begun), grace, "Run waited for the member's grace period: %s", msg)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	for _, pid := range members {
		waitGone(t, pid, time.Second)
	}
}
