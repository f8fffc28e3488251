package process

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Behaviour 4 of issue #3: every child leads its own process group, and
// Kill, Shutdown, Timeout and OnShutdown reach the whole group — with
// SIGKILL after the grace period even when the leader has already exited.

// Shell scripts shared by the lifecycle, orphan and concurrency tests.
const (
	// scriptGrandchild leaves a grandchild in the child's group and prints
	// its PID; the shell dies on SIGTERM.
	scriptGrandchild = `sleep 300 & echo "$!"; wait`
	// scriptIgnoreTerm is a leader that ignores SIGTERM; it prints "ready"
	// once the disposition is in place (exec keeps it: an ignored signal
	// stays ignored across exec).
	scriptIgnoreTerm = `trap "" TERM; echo ready; exec sleep 300`
	// scriptGrandchildIgnoresTerm is a leader that dies on SIGTERM with a
	// grandchild that ignores it. It prints the grandchild's PID, and the
	// grandchild prints "ready" once it ignores SIGTERM.
	scriptGrandchildIgnoresTerm = `(trap "" TERM; echo ready; exec sleep 300) & echo "$!"; exec sleep 300`
)

// outputLines splits captured output into lines without terminators.
func outputLines(out string) []string {
	var lines []string
	for line := range strings.Lines(out) {
		lines = append(lines, strings.TrimRight(line, "\r\n"))
	}
	return lines
}

// awaitOutput polls p's captured output until match accepts its lines and
// returns them. It fails the test at the deadline, or when p has ended
// without the expected output.
func awaitOutput(t testing.TB, p *Process, within time.Duration, what string, match func([]string) bool) []string {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		lines := outputLines(p.Output())
		if match(lines) {
			return lines
		}
		select {
		case <-tick.C:
		case <-p.Done():
			if lines := outputLines(p.Output()); match(lines) {
				return lines
			}
			t.Fatalf("process %s (pid %d) ended without printing %s; output %q", p.ID, p.PID, what, p.Output())
		case <-deadline.C:
			t.Fatalf("process %s (pid %d) did not print %s within %v; output %q", p.ID, p.PID, what, within, p.Output())
		}
	}
}

// pidLine returns the first line of lines that is a PID.
func pidLine(lines []string) (int, bool) {
	for _, line := range lines {
		if pid, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && pid > 1 {
			return pid, true
		}
	}
	return 0, false
}

// hasLine reports whether lines contains want.
func hasLine(lines []string, want string) bool {
	for _, line := range lines {
		if strings.TrimSpace(line) == want {
			return true
		}
	}
	return false
}

// awaitGrandchild waits for p to print a grandchild's PID, registers its
// cleanup and checks that it is a member of p's process group.
func awaitGrandchild(t testing.TB, p *Process) int {
	t.Helper()
	lines := awaitOutput(t, p, 10*time.Second, "a grandchild PID", func(lines []string) bool {
		_, ok := pidLine(lines)
		return ok
	})
	gc, _ := pidLine(lines)
	killOnCleanup(t, gc)
	_, pgrp, ok := procStat(gc)
	require.True(t, ok, "grandchild %d exists", gc)
	require.Equal(t, p.PID, pgrp, "grandchild %d is in the child's process group", gc)
	return gc
}

// awaitReady waits for p to print the line "ready".
func awaitReady(t testing.TB, p *Process) []string {
	t.Helper()
	return awaitOutput(t, p, 10*time.Second, `"ready"`, func(lines []string) bool {
		return hasLine(lines, "ready")
	})
}

// procSession returns the session ID of pid from /proc/<pid>/stat.
func procSession(t testing.TB, pid int) int {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	require.NoError(t, err)
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	require.GreaterOrEqual(t, len(fields), 4, "stat of %d: %q", pid, s)
	sid, err := strconv.Atoi(fields[3])
	require.NoError(t, err)
	return sid
}

// ignoresSignal reports whether pid has sig ignored (SigIgn in
// /proc/<pid>/status).
func ignoresSignal(pid int, sig syscall.Signal) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(data)) {
		if mask, ok := strings.CutPrefix(line, "SigIgn:"); ok {
			bits, err := strconv.ParseUint(strings.TrimSpace(mask), 16, 64)
			return err == nil && bits&(1<<(uint(sig)-1)) != 0
		}
	}
	return false
}

// killedEvents waits for p's ActionProcessExited and returns the
// ActionProcessKilled events recorded for p.
func killedEvents(t testing.TB, rec *recorder, p *Process) []ActionProcessKilled {
	t.Helper()
	exited := func() bool {
		for _, m := range rec.forID(p.ID) {
			if _, ok := m.(ActionProcessExited); ok {
				return true
			}
		}
		return false
	}
	require.Eventually(t, exited, 10*time.Second, 5*time.Millisecond, "exit event of %s", p.ID)
	var killed []ActionProcessKilled
	for _, m := range rec.forID(p.ID) {
		if k, ok := m.(ActionProcessKilled); ok {
			killed = append(killed, k)
		}
	}
	return killed
}

// shutdownAsync calls p.Shutdown in the background.
func shutdownAsync(p *Process) <-chan error {
	done := make(chan error, 1)
	go func() { done <- p.Shutdown() }()
	return done
}

// awaitShutdown waits for the result of shutdownAsync.
func awaitShutdown(t testing.TB, p *Process, done <-chan error, within time.Duration) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		t.Fatalf("Shutdown of %s (pid %d) did not return within %v", p.ID, p.PID, within)
		return nil
	}
}

func TestService_Start_ChildLeadsItsOwnProcessGroup(t *testing.T) {
	_, svc := newTestService(t, Options{GracePeriod: 500 * time.Millisecond})

	for _, detach := range []bool{false, true} {
		p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"300"}, Detach: detach})
		state, pgrp, ok := procStat(p.PID)
		require.True(t, ok, "pid %d exists", p.PID)
		assert.NotEqual(t, byte('Z'), state)
		assert.Equal(t, p.PID, pgrp, "detach=%v: the child leads its own process group", detach)
		assert.NotEqual(t, syscall.Getpgrp(), pgrp, "detach=%v: the child is not in the test's group", detach)

		require.NoError(t, p.Kill())
		waitDone(t, p, 10*time.Second)
	}
}

func TestService_Start_PTYChildLeadsItsOwnSession(t *testing.T) {
	_, svc := newTestService(t, Options{GracePeriod: 500 * time.Millisecond})

	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"300"}, PTY: true})
	_, pgrp, ok := procStat(p.PID)
	require.True(t, ok, "pid %d exists", p.PID)
	assert.Equal(t, p.PID, pgrp, "the PTY child leads its own process group")
	assert.Equal(t, p.PID, procSession(t, p.PID), "the PTY child leads its own session")

	require.NoError(t, p.Kill())
	waitDone(t, p, 10*time.Second)
	assert.Equal(t, StatusKilled, p.Info().Status)
}

func TestService_Kill_ReachesGrandchildren(t *testing.T) {
	_, svc := newTestService(t, Options{GracePeriod: 500 * time.Millisecond})

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptGrandchild}})
	killGroupOnCleanup(t, p.PID)
	gc := awaitGrandchild(t, p)

	require.NoError(t, p.Kill())
	waitDone(t, p, 10*time.Second)
	waitGone(t, gc, 10*time.Second)
	assert.Empty(t, groupMembers(p.PID), "the child's group is empty")

	info := p.Info()
	assert.Equal(t, StatusKilled, info.Status)
	assert.Equal(t, "SIGKILL", info.Signal)
	assert.False(t, info.Running)
}

func TestService_KillByID_ReachesGrandchildren(t *testing.T) {
	_, svc := newTestService(t, Options{GracePeriod: 500 * time.Millisecond})

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptGrandchild}})
	killGroupOnCleanup(t, p.PID)
	gc := awaitGrandchild(t, p)

	require.NoError(t, svc.Kill(p.ID))
	waitDone(t, p, 10*time.Second)
	waitGone(t, gc, 10*time.Second)
	assert.Equal(t, StatusKilled, p.Info().Status)
}

func TestProcess_Shutdown_ReachesGrandchildren(t *testing.T) {
	_, svc := newTestService(t, Options{})

	p := startProcess(t, svc, RunOptions{
		Command:     "sh",
		Args:        []string{"-c", scriptGrandchild},
		GracePeriod: time.Second,
	})
	killGroupOnCleanup(t, p.PID)
	gc := awaitGrandchild(t, p)

	err := awaitShutdown(t, p, shutdownAsync(p), 30*time.Second)
	require.NoError(t, err)
	// Shutdown returns only once the process is done.
	select {
	case <-p.Done():
	default:
		t.Fatal("Shutdown returned before the process was done")
	}
	waitGone(t, gc, 10*time.Second)

	info := p.Info()
	assert.Equal(t, StatusKilled, info.Status)
	assert.Equal(t, "SIGTERM", info.Signal, "the shell dies of the polite signal")
	assert.False(t, p.IsRunning())
}

func TestService_Timeout_ReachesGrandchildren(t *testing.T) {
	_, svc := newTestService(t, Options{})

	const timeout = time.Second
	p := startProcess(t, svc, RunOptions{
		Command:     "sh",
		Args:        []string{"-c", scriptGrandchild},
		Timeout:     timeout,
		GracePeriod: time.Second,
	})
	killGroupOnCleanup(t, p.PID)
	// The PID line may arrive after the timeout on a slow machine: the
	// captured output keeps it.
	gc := awaitGrandchild(t, p)

	waitDone(t, p, 30*time.Second)
	waitGone(t, gc, 10*time.Second)

	info := p.Info()
	assert.Equal(t, StatusKilled, info.Status)
	assert.Equal(t, "SIGTERM", info.Signal)
	assert.GreaterOrEqual(t, info.Duration, timeout, "stopped no earlier than its timeout")
}

func TestService_Timeout_EscalatesToSIGKILL(t *testing.T) {
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)

	const timeout, grace = time.Second, 300 * time.Millisecond
	p := startProcess(t, svc, RunOptions{
		Command:     "sh",
		Args:        []string{"-c", scriptIgnoreTerm},
		Timeout:     timeout,
		GracePeriod: grace,
	})
	killGroupOnCleanup(t, p.PID)

	waitDone(t, p, 30*time.Second)
	require.True(t, hasLine(outputLines(p.Output()), "ready"),
		"the trap was in place before the timeout; output %q", p.Output())
	info := p.Info()
	assert.Equal(t, StatusKilled, info.Status)
	assert.Equal(t, "SIGKILL", info.Signal, "a SIGTERM-ignoring process is killed after the grace period")
	assert.GreaterOrEqual(t, info.Duration, timeout+grace)
	assert.Equal(t, []ActionProcessKilled{{ID: p.ID, Signal: "SIGKILL"}}, killedEvents(t, rec, p))
}

func TestService_RunWithOptions_Timeout_ReachesGrandchildren(t *testing.T) {
	_, svc := newTestService(t, Options{})

	result := make(chan core.Result, 1)
	go func() {
		result <- svc.RunWithOptions(context.Background(), RunOptions{
			Command:     "sh",
			Args:        []string{"-c", scriptGrandchild},
			Timeout:     500 * time.Millisecond,
			GracePeriod: time.Second,
		})
	}()
	// The run's group is cleaned up by PID even if the run never returns.
	var pid int
	require.Eventually(t, func() bool {
		if procs := svc.List(); len(procs) > 0 {
			pid = procs[0].PID
			return true
		}
		return false
	}, 30*time.Second, 5*time.Millisecond, "the run starts")
	killOnCleanup(t, pid)
	killGroupOnCleanup(t, pid)

	r := awaitResult(t, result, "Run did not return after its timeout")
	require.False(t, r.OK, "a run stopped by its timeout is not a success")
	var exitErr *ExitError
	require.ErrorAs(t, r.Value.(error), &exitErr)
	assert.Equal(t, "SIGTERM", exitErr.Signal)

	gc, ok := pidLine(outputLines(exitErr.Output))
	require.True(t, ok, "the output names the grandchild: %q", exitErr.Output)
	killOnCleanup(t, gc)
	waitGone(t, gc, 10*time.Second)
}

func TestProcess_Shutdown_KillsTermIgnoringGrandchildAfterLeaderExited(t *testing.T) {
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)

	const grace = 2 * time.Second
	p := startProcess(t, svc, RunOptions{
		Command:     "sh",
		Args:        []string{"-c", scriptGrandchildIgnoresTerm},
		GracePeriod: grace,
	})
	killGroupOnCleanup(t, p.PID)
	awaitReady(t, p)
	gc := awaitGrandchild(t, p)
	require.True(t, ignoresSignal(gc, syscall.SIGTERM), "grandchild %d ignores SIGTERM", gc)

	started := time.Now()
	shutdown := shutdownAsync(p)

	// The leader dies of SIGTERM straight away ...
	require.Eventually(t, func() bool { return !p.IsRunning() }, 10*time.Second, 5*time.Millisecond,
		"the leader exits on SIGTERM")
	if time.Since(started) < grace/2 {
		// ... while the grandchild survives it and Shutdown keeps waiting
		// (checked only while well inside the grace period: this machine
		// is noisy).
		assert.True(t, pidAlive(gc), "the SIGTERM-ignoring grandchild is still alive")
		select {
		case err := <-shutdown:
			t.Fatalf("Shutdown returned (%v) after %v, before the grace period (%v) ended",
				err, time.Since(started), grace)
		default:
		}
	}

	err := awaitShutdown(t, p, shutdown, 30*time.Second)
	elapsed := time.Since(started)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, elapsed, grace, "Shutdown waits for the group for the whole grace period")
	// Shutdown returned after sending SIGKILL to the group, although its
	// leader had exited: nobody else kills the grandchild.
	waitGone(t, gc, 10*time.Second)

	info := p.Info()
	assert.Equal(t, StatusKilled, info.Status)
	assert.Equal(t, "SIGTERM", info.Signal, "the leader itself died of SIGTERM")
	assert.Equal(t, []ActionProcessKilled{{ID: p.ID, Signal: "SIGTERM"}}, killedEvents(t, rec, p))
}

func TestProcess_Shutdown_KillsTermIgnoringLeaderAfterGracePeriod(t *testing.T) {
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)

	const grace = 500 * time.Millisecond
	p := startProcess(t, svc, RunOptions{
		Command:     "sh",
		Args:        []string{"-c", scriptIgnoreTerm},
		GracePeriod: grace,
	})
	killGroupOnCleanup(t, p.PID)
	awaitReady(t, p)

	started := time.Now()
	err := awaitShutdown(t, p, shutdownAsync(p), 30*time.Second)
	elapsed := time.Since(started)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, elapsed, grace, "SIGKILL only after the grace period")

	info := p.Info()
	assert.Equal(t, StatusKilled, info.Status)
	assert.Equal(t, "SIGKILL", info.Signal)
	assert.False(t, info.Running)
	waitGone(t, p.PID, 10*time.Second)

	assert.Equal(t, []ActionProcessKilled{{ID: p.ID, Signal: "SIGKILL"}}, killedEvents(t, rec, p))
}

func TestProcess_Shutdown_UsesServiceGracePeriodByDefault(t *testing.T) {
	const grace = 400 * time.Millisecond
	_, svc := newTestService(t, Options{GracePeriod: grace})

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptIgnoreTerm}})
	killGroupOnCleanup(t, p.PID)
	awaitReady(t, p)

	started := time.Now()
	err := awaitShutdown(t, p, shutdownAsync(p), 30*time.Second)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(started), grace)
	assert.Equal(t, "SIGKILL", p.Info().Signal)
}

func TestProcess_Shutdown_AfterExit_ReturnsNotRunning(t *testing.T) {
	_, svc := newTestService(t, Options{GracePeriod: 300 * time.Millisecond})

	p := startProcess(t, svc, RunOptions{Command: "true"})
	waitDone(t, p, 10*time.Second)

	done := shutdownAsync(p)
	err := awaitShutdown(t, p, done, 10*time.Second)
	assert.ErrorIs(t, err, ErrProcessNotRunning)
	assert.Equal(t, StatusExited, p.Info().Status, "a finished process is not reported killed")
}

func TestService_OnShutdown_StopsEveryProcessAndReturnsOK(t *testing.T) {
	const grace = 500 * time.Millisecond
	c, svc := newTestService(t, Options{GracePeriod: grace})

	plain := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"300"}})
	detached := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"300"}, Detach: true})
	ignoring := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptIgnoreTerm}})
	parent := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptGrandchild}})
	escalating := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptGrandchildIgnoresTerm}})
	all := []*Process{plain, detached, ignoring, parent, escalating}
	for _, p := range all {
		killGroupOnCleanup(t, p.PID)
	}
	awaitReady(t, ignoring)
	awaitReady(t, escalating)
	grandchildren := []int{awaitGrandchild(t, parent), awaitGrandchild(t, escalating)}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	started := time.Now()
	r := c.ServiceShutdown(ctx)
	elapsed := time.Since(started)
	require.True(t, r.OK, "shutdown: %v", r.Value)
	assert.GreaterOrEqual(t, elapsed, grace, "SIGTERM-ignoring members get their grace period")

	assert.Empty(t, svc.Running(), "nothing is left running")
	for _, p := range all {
		select {
		case <-p.Done():
		default:
			t.Errorf("process %s (%s) not done when OnShutdown returned", p.ID, p.Command)
		}
		info := p.Info()
		assert.Equal(t, StatusKilled, info.Status, "process %s (%v)", p.ID, p.Args)
		assert.False(t, info.Running)
		waitGone(t, p.PID, 10*time.Second)
	}
	assert.Equal(t, "SIGKILL", ignoring.Info().Signal)
	for _, gc := range grandchildren {
		waitGone(t, gc, 10*time.Second)
	}
}

func TestService_OnShutdown_ReturnsOnlyOnceEveryProcessIsDone(t *testing.T) {
	c, svc := newTestService(t, Options{GracePeriod: 500 * time.Millisecond})
	rec := newRecorder(c)

	// The shell exits on its own; its grandchild keeps the output open, so
	// the process has exited but is not done yet: its output is still
	// being drained and its exit event is still to come. (Detached: the
	// grandchild of any other process is stopped when the shell exits.)
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", `sleep 300 & echo "$!"; exit 0`}, Detach: true})
	killGroupOnCleanup(t, p.PID)
	awaitGrandchild(t, p)
	require.Eventually(t, func() bool { return !p.IsRunning() }, 10*time.Second, time.Millisecond,
		"the shell exits")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := c.ServiceShutdown(ctx)
	require.True(t, r.OK, "shutdown: %v", r.Value)

	// Once OnShutdown has returned OK the service is quiet: every process
	// it started is done and its exit has been reported.
	select {
	case <-p.Done():
	default:
		t.Errorf("process %s was not done when OnShutdown returned OK", p.ID)
	}
	var exited bool
	for _, m := range rec.forID(p.ID) {
		if _, ok := m.(ActionProcessExited); ok {
			exited = true
		}
	}
	assert.True(t, exited, "ActionProcessExited of %s was broadcast before OnShutdown returned", p.ID)
	waitDone(t, p, 10*time.Second)
	assert.Equal(t, StatusExited, p.Info().Status, "a process that exited on its own is not reported killed")
}

func TestService_ServiceShutdown_BoundsItselfByTheGracePeriod(t *testing.T) {
	// The Core calls OnShutdown with context.Background(), whatever
	// context ServiceShutdown gets: OnShutdown must bound itself.
	const grace = 300 * time.Millisecond
	c, svc := newTestService(t, Options{GracePeriod: grace})

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptIgnoreTerm}})
	killGroupOnCleanup(t, p.PID)
	awaitReady(t, p)

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	started := time.Now()
	r := c.ServiceShutdown(ctx)
	elapsed := time.Since(started)

	require.True(t, r.OK, "shutdown: %v", r.Value)
	assert.GreaterOrEqual(t, elapsed, grace, "the SIGTERM-ignoring leader gets its grace period")
	assert.Less(t, elapsed, grace+shutdownReapWait, "SIGKILL follows the grace period; nothing waits longer")
	waitDone(t, p, time.Second)
	assert.Equal(t, StatusKilled, p.Info().Status)
	assert.Equal(t, "SIGKILL", p.Info().Signal)
	waitGone(t, p.PID, 10*time.Second)
}

func TestService_ServiceShutdown_HandlerThatNeverReturns_StillBounded(t *testing.T) {
	const grace = 200 * time.Millisecond
	c, svc := newTestService(t, Options{GracePeriod: grace})
	release := make(chan struct{})
	defer close(release)
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if e, ok := msg.(ActionProcessOutput); ok && e.Line == "stuck" {
			<-release // a handler bug: it blocks until the test ends
		}
		return core.Result{OK: true}
	})

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", `trap "" TERM; echo stuck; exec sleep 300`}})
	killGroupOnCleanup(t, p.PID)
	require.Eventually(t, func() bool { return hasLine(outputLines(p.Output()), "stuck") }, 10*time.Second, time.Millisecond)

	started := time.Now()
	r := c.ServiceShutdown(context.Background())
	elapsed := time.Since(started)

	require.False(t, r.OK, "the stuck handler keeps the process from being done")
	assert.ErrorContains(t, r.Value.(error), "1 of 1 processes not done")
	assert.Less(t, elapsed, grace+shutdownReapWait+2*time.Second, "OnShutdown returned within its bound")
	waitGone(t, p.PID, 10*time.Second)
	assert.Equal(t, StatusKilled, p.Info().Status, "the record is true even though the handler never returned")
	assert.Equal(t, "SIGKILL", p.Info().Signal)
}

func TestService_OnShutdown_DirectCall_ContextEndsTheGracePeriodEarly(t *testing.T) {
	_, svc := newTestService(t, Options{GracePeriod: 30 * time.Second})

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptIgnoreTerm}})
	killGroupOnCleanup(t, p.PID)
	awaitReady(t, p)

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	started := time.Now()
	r := svc.OnShutdown(ctx)
	elapsed := time.Since(started)

	require.False(t, r.OK, "the ctx ended before the process did")
	assert.ErrorIs(t, r.Value.(error), context.DeadlineExceeded)
	assert.Less(t, elapsed, 10*time.Second, "the context ended the 30s grace period")
	assert.Equal(t, StatusKilled, p.Info().Status)
	assert.Equal(t, "SIGKILL", p.Info().Signal)
	waitGone(t, p.PID, 10*time.Second)
}

func TestService_OnShutdown_DirectCall_CancelledContext_KillsAtOnce(t *testing.T) {
	_, svc := newTestService(t, Options{GracePeriod: 30 * time.Second})

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptIgnoreTerm}})
	killGroupOnCleanup(t, p.PID)
	awaitReady(t, p)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := svc.OnShutdown(ctx)
	require.False(t, r.OK, "the ctx ended before the process did")
	assert.ErrorIs(t, r.Value.(error), context.Canceled)

	// A context that has already ended leaves no grace period at all.
	assert.Equal(t, StatusKilled, p.Info().Status)
	assert.Equal(t, "SIGKILL", p.Info().Signal)
}

func TestService_OnShutdown_NothingRunning_ReturnsOK(t *testing.T) {
	_, svc := newTestService(t, Options{})

	p := startProcess(t, svc, RunOptions{Command: "true"})
	waitDone(t, p, 10*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := svc.OnShutdown(ctx)
	assert.True(t, r.OK, "%v", r.Value)
	assert.Equal(t, StatusExited, p.Info().Status)
}
