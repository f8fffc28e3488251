package process

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Behaviour 6 of issue #3: a non-detached process ends with its caller's
// context and with the program that manages it, even when that program is
// killed with SIGKILL; a Detach process survives both.

// startWithContext starts opts under ctx, requires success and registers
// PID cleanup.
func startWithContext(t testing.TB, svc *Service, ctx context.Context, opts RunOptions) *Process {
	t.Helper()
	r := svc.StartWithOptions(ctx, opts)
	require.True(t, r.OK, "start %s: %v", opts.Command, r.Value)
	p := r.Value.(*Process)
	killOnCleanup(t, p.PID)
	return p
}

// parentPID returns the parent of pid from /proc/<pid>/stat.
func parentPID(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

func TestService_CancelContext_StopsNonDetachedProcess_DetachedSurvives(t *testing.T) {
	_, svc := newTestService(t, Options{GracePeriod: time.Second})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	attached := startWithContext(t, svc, ctx, RunOptions{Command: "sh", Args: []string{"-c", scriptGrandchild}})
	killGroupOnCleanup(t, attached.PID)
	detached := startWithContext(t, svc, ctx, RunOptions{Command: "sleep", Args: []string{"300"}, Detach: true})
	gc := awaitGrandchild(t, attached)

	cancel()
	waitDone(t, attached, 30*time.Second)
	waitGone(t, attached.PID, 10*time.Second)
	waitGone(t, gc, 10*time.Second)
	info := attached.Info()
	assert.Equal(t, StatusKilled, info.Status)
	assert.Equal(t, "SIGTERM", info.Signal)

	// The cancelled one is gone; the detached one is not.
	select {
	case <-detached.Done():
		t.Fatalf("the Detach process ended with its context: %+v", detached.Info())
	default:
	}
	assert.True(t, detached.IsRunning())
	assert.True(t, pidAlive(detached.PID), "detached pid %d is alive", detached.PID)
	assert.Equal(t, StatusRunning, detached.Info().Status)

	require.NoError(t, detached.Kill())
	waitDone(t, detached, 10*time.Second)
}

func TestService_CancelContext_ViaStartAction_StopsNonDetached_DetachedSurvives(t *testing.T) {
	c, svc := newTestService(t, Options{GracePeriod: time.Second})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := func(detach bool) *Process {
		r := c.Process().Start(ctx, core.NewOptions(
			core.Option{Key: "command", Value: "sleep"},
			core.Option{Key: "args", Value: []string{"300"}},
			core.Option{Key: "detach", Value: detach},
		))
		require.True(t, r.OK, "process.start: %v", r.Value)
		p, err := svc.Get(r.Value.(string))
		require.NoError(t, err)
		killOnCleanup(t, p.PID)
		return p
	}
	attached, detached := start(false), start(true)

	cancel()
	waitDone(t, attached, 30*time.Second)
	waitGone(t, attached.PID, 10*time.Second)
	assert.Equal(t, StatusKilled, attached.Info().Status)
	assert.True(t, detached.IsRunning(), "the detached process survives its context")
	assert.True(t, pidAlive(detached.PID))

	r := c.Process().Kill(context.Background(), core.NewOptions(core.Option{Key: "id", Value: detached.ID}))
	require.True(t, r.OK, "process.kill: %v", r.Value)
	waitDone(t, detached, 10*time.Second)
}

func TestService_CancelContext_StopsRun(t *testing.T) {
	_, svc := newTestService(t, Options{GracePeriod: time.Second})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	result := make(chan core.Result, 1)
	go func() {
		result <- svc.RunWithOptions(ctx, RunOptions{Command: "sleep", Args: []string{"300"}})
	}()
	require.Eventually(t, func() bool { return len(svc.Running()) == 1 }, 30*time.Second, 5*time.Millisecond,
		"the run starts")
	p := svc.Running()[0]
	killOnCleanup(t, p.PID)

	cancel()
	r := awaitResult(t, result, "Run did not return after its context was cancelled")
	require.False(t, r.OK, "a cancelled run is not a success")
	var exitErr *ExitError
	require.ErrorAs(t, r.Value.(error), &exitErr)
	assert.Equal(t, "SIGTERM", exitErr.Signal)
	assert.Equal(t, StatusKilled, p.Info().Status)
	waitGone(t, p.PID, 10*time.Second)
}

func TestService_Start_CancelledContext_RefusesNonDetached(t *testing.T) {
	_, svc := newTestService(t, Options{GracePeriod: time.Second})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	r := svc.StartWithOptions(ctx, RunOptions{Command: "sleep", Args: []string{"300"}})
	if r.OK {
		killOnCleanup(t, r.Value.(*Process).PID)
	}
	require.False(t, r.OK, "nothing starts under a cancelled context")
	assert.ErrorIs(t, r.Value.(error), context.Canceled)
	assert.Empty(t, svc.List(), "nothing registered")

	// A detached process does not depend on the context.
	p := startWithContext(t, svc, ctx, RunOptions{Command: "sleep", Args: []string{"300"}, Detach: true})
	assert.True(t, p.IsRunning())
	require.NoError(t, p.Kill())
	waitDone(t, p, 10*time.Second)
}

// TestService_ManagerKilled_NonDetachedChildDies_DetachedSurvives runs the
// test binary as a manager program (see runManager in main_test.go) and
// kills it with SIGKILL.
func TestService_ManagerKilled_NonDetachedChildDies_DetachedSurvives(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)

	stdinR, stdinW, err := os.Pipe()
	require.NoError(t, err)
	stdoutR, stdoutW, err := os.Pipe()
	require.NoError(t, err)
	stderrPath := filepath.Join(t.TempDir(), "manager.stderr")
	stderr, err := os.Create(stderrPath)
	require.NoError(t, err)

	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Args[0] = uniqueProgramName("orphan-manager") // its cgroups apart from this program's
	removeProgramCgroupsOnCleanup(t, cmd.Args[0])
	cmd.Env = append(os.Environ(), managerEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdinR, stdoutW, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	stdinR.Close()
	stdoutW.Close()
	stderr.Close()

	waited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(waited)
	}()
	t.Cleanup(func() {
		// Closing stdin makes a live manager kill its children and exit;
		// SIGKILL makes sure it exits.
		stdinW.Close()
		_ = cmd.Process.Kill()
		select {
		case <-waited:
		case <-time.After(30 * time.Second):
			t.Errorf("manager %d was not reaped", cmd.Process.Pid)
		}
		stdoutR.Close()
	})
	managerLog := func() string {
		data, _ := os.ReadFile(stderrPath)
		return string(data)
	}

	lines := make(chan string, 1)
	go func() {
		line, err := bufio.NewReader(stdoutR).ReadString('\n')
		if err != nil {
			line = "error: " + err.Error()
		}
		lines <- line
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(60 * time.Second):
		t.Fatalf("the manager printed no PIDs; its stderr: %s", managerLog())
	}
	var attached, detached, run int
	var outputFile string
	_, err = fmt.Sscanf(line, "pids %d %d %d %s", &attached, &detached, &run, &outputFile)
	require.NoError(t, err, "manager said %q; its stderr: %s", line, managerLog())
	t.Cleanup(func() { os.Remove(outputFile) })
	killOnCleanup(t, attached)
	killOnCleanup(t, detached)
	killOnCleanup(t, run)
	require.Equal(t, cmd.Process.Pid, parentPID(attached), "the manager is the non-detached child's parent")
	require.Equal(t, cmd.Process.Pid, parentPID(detached), "the manager is the detached child's parent")
	require.Equal(t, cmd.Process.Pid, parentPID(run), "the manager is the Run child's parent")

	// The OS thread of the goroutine that started both children has
	// exited: a parent-death signal tied to that thread would already have
	// fired. The non-detached child lives as long as the manager does.
	assert.True(t, pidAlive(attached), "non-detached child %d alive after its starting thread exited", attached)
	assert.Never(t, func() bool { return !pidAlive(attached) }, 300*time.Millisecond, 10*time.Millisecond,
		"non-detached child %d died while its manager lives", attached)
	assert.True(t, pidAlive(detached), "detached child %d alive", detached)
	assert.True(t, pidAlive(run), "Run child %d alive", run)

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	select {
	case <-waited:
	case <-time.After(30 * time.Second):
		t.Fatal("the manager did not die of SIGKILL")
	}

	waitGone(t, attached, 10*time.Second)
	waitGone(t, run, 10*time.Second)
	assert.True(t, pidAlive(detached), "the Detach child %d survives its manager's death", detached)

	// It keeps writing, into its output file, and does not die of it
	// (a pipe would have killed it with SIGPIPE at its first write).
	size := func() int64 {
		info, err := os.Stat(outputFile)
		if err != nil {
			return -1
		}
		return info.Size()
	}
	before := size()
	require.Positive(t, before, "output file %s holds what was written", outputFile)
	require.Eventually(t, func() bool { return size() > before+100 }, 10*time.Second, 10*time.Millisecond,
		"the detached child goes on writing to %s", outputFile)
	assert.True(t, pidAlive(detached), "the Detach child %d survives writing after its manager's death", detached)
}
