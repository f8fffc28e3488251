package process

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of issue #3, behaviours 1, 2, 3, 5 and 8: running, starting,
// failing to start, killing and exit reporting.

// i3Watchdog is how long a test lets a call that must return promptly take
// before failing. It is deliberately generous: the machine is noisy, and the
// point is "does not hang", not a timing measurement.
const i3Watchdog = 5 * time.Second

// i3Within runs f and returns its result, failing the test if it does not
// return within d.
func i3Within[T any](t testing.TB, d time.Duration, what string, f func() T) T {
	t.Helper()
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
	var zero T
	return zero
}

// i3Opts builds core.Options from key/value pairs.
func i3Opts(kv ...any) core.Options {
	var o core.Options
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// i3Run runs the named action with opts within the watchdog.
func i3Run(t testing.TB, c *core.Core, action string, opts core.Options) core.Result {
	t.Helper()
	return i3Within(t, i3Watchdog, action, func() core.Result {
		return c.Action(action).Run(context.Background(), opts)
	})
}

// i3Err returns the error a failed Result carries.
func i3Err(t testing.TB, r core.Result) error {
	t.Helper()
	require.False(t, r.OK, "expected failure, got OK with %#v", r.Value)
	err, ok := r.Value.(error)
	require.True(t, ok, "failed Result carries %T, want error", r.Value)
	return err
}

// i3OpenFDs counts this program's open file descriptors.
func i3OpenFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(entries)
}

// i3Exited waits until the recorder has seen the ActionProcessExited of id
// (it is broadcast just after Done closes) and returns it.
func i3Exited(t testing.TB, rec *recorder, id string) ActionProcessExited {
	t.Helper()
	var ev ActionProcessExited
	require.Eventually(t, func() bool {
		for _, m := range rec.forID(id) {
			if e, ok := m.(ActionProcessExited); ok {
				ev = e
				return true
			}
		}
		return false
	}, i3Watchdog, 2*time.Millisecond, "no ActionProcessExited for %s", id)
	return ev
}

// --- Behaviour 1: Run, RunIn, RunWithEnv, Input, SendInput -------------

func TestCoreProcess_Run_ReturnsCombinedOutput(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})

	r := i3Within(t, i3Watchdog, "Run", func() core.Result {
		return c.Process().Run(context.Background(), "echo", "hello")
	})
	require.True(t, r.OK, "run: %v", r.Value)
	assert.Equal(t, "hello\n", r.Value)

	r = i3Within(t, i3Watchdog, "Run", func() core.Result {
		return c.Process().Run(context.Background(), "sh", "-c", "echo out; echo err >&2")
	})
	require.True(t, r.OK, "run: %v", r.Value)
	out, ok := r.Value.(string)
	require.True(t, ok, "Value is %T, want string", r.Value)
	// stdout and stderr are separate pipes: both are there, in either order.
	assert.Contains(t, out, "out\n")
	assert.Contains(t, out, "err\n")
	assert.Len(t, out, len("out\nerr\n"))
}

func TestService_Run_ReturnsCombinedOutput(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})

	r := i3Within(t, i3Watchdog, "Run", func() core.Result {
		return svc.Run(context.Background(), "sh", "-c", "echo one; echo two >&2")
	})
	require.True(t, r.OK, "run: %v", r.Value)
	out := r.Value.(string)
	assert.Contains(t, out, "one\n")
	assert.Contains(t, out, "two\n")
	assert.Len(t, out, len("one\ntwo\n"))
}

func TestCoreProcess_RunIn_SetsWorkingDirectory(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})
	dir, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)

	r := i3Within(t, i3Watchdog, "RunIn", func() core.Result {
		return c.Process().RunIn(context.Background(), dir, "pwd")
	})
	require.True(t, r.OK, "run: %v", r.Value)
	assert.Equal(t, dir+"\n", r.Value)
}

func TestCoreProcess_RunWithEnv_AddsToEnvironment(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})
	path := os.Getenv("PATH")
	require.NotEmpty(t, path, "the test needs PATH set")
	home := os.Getenv("HOME")

	r := i3Within(t, i3Watchdog, "RunWithEnv", func() core.Result {
		return c.Process().RunWithEnv(context.Background(), "",
			[]string{"GOPROCESS_TEST_VAR=hello world"},
			"sh", "-c", `printf '%s\n%s\n%s\n' "$GOPROCESS_TEST_VAR" "$PATH" "$HOME"`)
	})
	require.True(t, r.OK, "run: %v", r.Value)
	assert.Equal(t, "hello world\n"+path+"\n"+home+"\n", r.Value,
		"the new variable is visible and PATH and HOME are inherited")
}

func TestCoreProcess_RunWithEnv_OverridesParentVariable(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})

	r := i3Within(t, i3Watchdog, "RunWithEnv", func() core.Result {
		return c.Process().RunWithEnv(context.Background(), "",
			[]string{"HOME=/goprocess-test-home"}, "sh", "-c", `echo "$HOME"`)
	})
	require.True(t, r.OK, "run: %v", r.Value)
	assert.Equal(t, "/goprocess-test-home\n", r.Value)
}

func TestService_RunWithOptions_Input_FeedsStdinThenCloses(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	const input = "line one\nline two\n"

	r := i3Within(t, i3Watchdog, "RunWithOptions", func() core.Result {
		return svc.RunWithOptions(context.Background(), RunOptions{Command: "cat", Input: input})
	})
	require.True(t, r.OK, "run: %v", r.Value)
	assert.Equal(t, input, r.Value)

	r = i3Run(t, c, "process.run", i3Opts("command", "cat", "input", input))
	require.True(t, r.OK, "process.run: %v", r.Value)
	assert.Equal(t, input, r.Value)
}

func TestService_Run_WithoutInput_StdinIsEmpty(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})

	// cat on an empty stdin reaches end of file at once; the watchdog
	// catches a stdin that is left open.
	r := i3Within(t, i3Watchdog, "Run cat", func() core.Result {
		return c.Process().Run(context.Background(), "cat")
	})
	require.True(t, r.OK, "run: %v", r.Value)
	assert.Equal(t, "", r.Value)

	r = i3Within(t, i3Watchdog, "Run cat", func() core.Result {
		return svc.Run(context.Background(), "cat")
	})
	require.True(t, r.OK, "run: %v", r.Value)
	assert.Equal(t, "", r.Value)
}

func TestService_RunWithOptions_UnreadInput_IsNotAFailure(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	big := strings.Repeat("x", 1<<20) // far beyond a pipe's buffer

	r := i3Within(t, 2*i3Watchdog, "RunWithOptions", func() core.Result {
		return svc.RunWithOptions(context.Background(), RunOptions{
			Command: "sh", Args: []string{"-c", "exit 0"}, Input: big,
		})
	})
	assert.True(t, r.OK, "a child that exits without reading its input succeeded: %v", r.Value)
	assert.Equal(t, "", r.Value)

	// A child that reads only part of it.
	r = i3Within(t, 2*i3Watchdog, "RunWithOptions", func() core.Result {
		return svc.RunWithOptions(context.Background(), RunOptions{
			Command: "head", Args: []string{"-c", "3"}, Input: big,
		})
	})
	assert.True(t, r.OK, "a child that reads part of its input succeeded: %v", r.Value)
	assert.Equal(t, "xxx", r.Value)
}

func TestProcess_SendInput_CloseStdin_FeedsCat(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "cat"})

	require.NoError(t, p.SendInput("hello\n"))
	require.NoError(t, p.SendInput("world\n"))
	assert.True(t, p.IsRunning(), "cat waits for more input until stdin is closed")
	require.NoError(t, p.CloseStdin())

	waitDone(t, p, i3Watchdog)
	assert.NoError(t, p.Wait())
	assert.Equal(t, "hello\nworld\n", p.Output())
	assert.Equal(t, StatusExited, p.Info().Status)
}

func TestProcess_SendInput_AfterCloseStdin_ReturnsErrStdinNotAvailable(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	// sleep does not read stdin and keeps running after it is closed.
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	require.NoError(t, p.CloseStdin())
	err := p.SendInput("late\n")
	assert.ErrorIs(t, err, ErrStdinNotAvailable)
	assert.ErrorIs(t, p.CloseStdin(), ErrStdinNotAvailable, "closing twice")
	assert.True(t, p.IsRunning(), "the process is unaffected")

	require.NoError(t, p.Kill())
	waitDone(t, p, i3Watchdog)
}

func TestProcess_SendInput_AfterExit_ReturnsErrProcessNotRunning(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "true"})
	waitDone(t, p, i3Watchdog)

	assert.ErrorIs(t, p.SendInput("x"), ErrProcessNotRunning)
	assert.ErrorIs(t, p.CloseStdin(), ErrProcessNotRunning)
}

// --- Behaviour 2: non-zero exit and start failures ----------------------

func TestService_Run_NonZeroExit_ReturnsExitError(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	script := "echo partial; echo oops >&2; exit 3"

	check := func(t *testing.T, r core.Result) {
		t.Helper()
		err := i3Err(t, r)
		var exitErr *ExitError
		require.ErrorAs(t, err, &exitErr)
		assert.Equal(t, 3, exitErr.Code)
		assert.Empty(t, exitErr.Signal)
		assert.Contains(t, exitErr.Output, "partial\n")
		assert.Contains(t, exitErr.Output, "oops\n")
		assert.Contains(t, exitErr.Error(), "3")
	}
	t.Run("CoreProcess", func(t *testing.T) {
		check(t, i3Within(t, i3Watchdog, "Run", func() core.Result {
			return c.Process().Run(context.Background(), "sh", "-c", script)
		}))
	})
	t.Run("Service", func(t *testing.T) {
		check(t, i3Within(t, i3Watchdog, "Run", func() core.Result {
			return svc.Run(context.Background(), "sh", "-c", script)
		}))
	})
	t.Run("Action", func(t *testing.T) {
		check(t, i3Run(t, c, "process.run", i3Opts("command", "sh", "args", []string{"-c", script})))
	})
}

// TestService_Start_Failure_FailsFastWithNothingRegisteredOrLeaked is not
// parallel: it counts this program's file descriptors.
func TestService_Start_Failure_FailsFastWithNothingRegisteredOrLeaked(t *testing.T) {
	c, svc := newTestService(t, Options{})

	notExec := filepath.Join(t.TempDir(), "not-executable")
	require.NoError(t, os.WriteFile(notExec, []byte("#!/bin/sh\necho no\n"), 0o644))

	cases := []struct {
		name string
		opts RunOptions
		want string // what the error must name
	}{
		{"missing binary in PATH", RunOptions{Command: "goprocess-no-such-command"}, "goprocess-no-such-command"},
		{"missing binary by path", RunOptions{Command: "/nonexistent/goprocess/bin"}, "/nonexistent/goprocess/bin"},
		{"not executable", RunOptions{Command: notExec}, notExec},
		{"missing dir", RunOptions{Command: "pwd", Dir: "/nonexistent/goprocess-dir"}, "/nonexistent/goprocess-dir"},
		{"empty command", RunOptions{}, "command"},
	}

	// Warm up: the first start opens the runtime's poller and the like.
	r := svc.Run(context.Background(), "true")
	require.True(t, r.OK, "warm-up run: %v", r.Value)
	svc.Clear()

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := i3OpenFDs(t)
			listed := len(svc.List())

			starts := map[string]func() core.Result{
				"StartWithOptions": func() core.Result { return svc.StartWithOptions(context.Background(), tc.opts) },
				"RunWithOptions":   func() core.Result { return svc.RunWithOptions(context.Background(), tc.opts) },
				"process.start": func() core.Result {
					return c.Action("process.start").Run(context.Background(),
						i3Opts("command", tc.opts.Command, "dir", tc.opts.Dir))
				},
			}
			for how, start := range starts {
				r := i3Within(t, i3Watchdog, how, start)
				err := i3Err(t, r)
				assert.Contains(t, err.Error(), tc.want, "%s: the error names the culprit", how)
				var exitErr *ExitError
				assert.False(t, errors.As(err, &exitErr), "%s: a start failure is not an *ExitError", how)
			}
			assert.Len(t, svc.List(), listed, "nothing registered")
			assert.Eventually(t, func() bool { return i3OpenFDs(t) <= before }, i3Watchdog, 5*time.Millisecond,
				"file descriptors leaked: %d before, %d after", before, i3OpenFDs(t))
		})
	}
}

// --- Behaviour 3: start, get, list, kill, wait ---------------------------

func TestService_StartGetListKillWait_ThroughActions(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)

	r := i3Run(t, c, "process.start", i3Opts("command", "sleep", "args", []string{"30"}))
	require.True(t, r.OK, "process.start: %v", r.Value)
	id, ok := r.Value.(string)
	require.True(t, ok, "process.start Value is %T, want the ID string", r.Value)
	require.NotEmpty(t, id)
	p, err := svc.Get(id)
	require.NoError(t, err)
	killOnCleanup(t, p.PID)

	r = i3Run(t, c, "process.get", i3Opts("id", id))
	require.True(t, r.OK, "process.get: %v", r.Value)
	info := r.Value.(ProcessInfo)
	assert.Equal(t, id, info.ID)
	assert.Equal(t, "sleep", info.Command)
	assert.Equal(t, []string{"30"}, info.Args)
	assert.True(t, info.Running)
	assert.Equal(t, StatusRunning, info.Status)
	require.Greater(t, info.PID, 1)
	assert.True(t, pidAlive(info.PID), "the PID is a live process")

	for _, running := range []bool{false, true} {
		r = i3Run(t, c, "process.list", i3Opts("running", running))
		require.True(t, r.OK, "process.list: %v", r.Value)
		infos := r.Value.([]ProcessInfo)
		require.Len(t, infos, 1)
		assert.Equal(t, id, infos[0].ID)
		assert.Equal(t, info.PID, infos[0].PID)
		assert.True(t, infos[0].Running)
	}

	r = i3Within(t, i3Watchdog, "Kill", func() core.Result {
		return c.Process().Kill(context.Background(), i3Opts("id", id))
	})
	require.True(t, r.OK, "process.kill: %v", r.Value)

	r = i3Run(t, c, "process.wait", i3Opts("id", id))
	require.True(t, r.OK, "process.wait: %v", r.Value)
	final := r.Value.(ProcessInfo)
	assert.Equal(t, StatusKilled, final.Status)
	assert.False(t, final.Running)
	assert.Equal(t, "SIGKILL", final.Signal)
	assert.Equal(t, -1, final.ExitCode)
	assert.Equal(t, info.PID, final.PID)
	assert.Positive(t, final.Duration)
	waitGone(t, info.PID, i3Watchdog)

	r = i3Run(t, c, "process.list", i3Opts("running", true))
	require.True(t, r.OK, "process.list: %v", r.Value)
	assert.Empty(t, r.Value.([]ProcessInfo), "nothing running any more")
	r = i3Run(t, c, "process.list", core.Options{})
	require.True(t, r.OK, "process.list: %v", r.Value)
	require.Len(t, r.Value.([]ProcessInfo), 1, "the finished process is still listed")
	assert.Equal(t, StatusKilled, r.Value.([]ProcessInfo)[0].Status)

	// ActionProcessKilled comes just before ActionProcessExited.
	i3Exited(t, rec, id)
	events := rec.forID(id)
	require.GreaterOrEqual(t, len(events), 3)
	assert.IsType(t, ActionProcessStarted{}, events[0])
	assert.Equal(t, ActionProcessKilled{ID: id, Signal: "SIGKILL"}, events[len(events)-2])
	assert.IsType(t, ActionProcessExited{}, events[len(events)-1])

	// Killing it again is harmless and says so.
	err = i3Err(t, i3Run(t, c, "process.kill", i3Opts("id", id)))
	assert.ErrorIs(t, err, ErrProcessNotRunning)
}

func TestService_Kill_FinishedProcess_ReturnsErrProcessNotRunning(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)

	// An unrelated process that must not be touched by anything below.
	bystander := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	p := startProcess(t, svc, RunOptions{Command: "true"})
	waitDone(t, p, i3Watchdog)
	i3Exited(t, rec, p.ID)
	before := p.Info()
	require.Equal(t, StatusExited, before.Status)
	eventsBefore := len(rec.forID(p.ID))

	assert.ErrorIs(t, p.Kill(), ErrProcessNotRunning, "Process.Kill")
	assert.ErrorIs(t, svc.Kill(p.ID), ErrProcessNotRunning, "Service.Kill")
	assert.ErrorIs(t, p.Shutdown(), ErrProcessNotRunning, "Process.Shutdown")
	assert.ErrorIs(t, p.Signal(syscall.SIGTERM), ErrProcessNotRunning, "Process.Signal")
	err := i3Err(t, i3Run(t, c, "process.kill", i3Opts("id", p.ID)))
	assert.ErrorIs(t, err, ErrProcessNotRunning, "process.kill by id")
	err = i3Err(t, i3Run(t, c, "process.kill", i3Opts("pid", p.PID)))
	assert.ErrorIs(t, err, ErrProcessNotRunning,
		"process.kill by the PID of a finished managed process must not signal that PID")
	err = i3Err(t, i3Run(t, c, "process.signal", i3Opts("id", p.ID, "signal", "TERM")))
	assert.ErrorIs(t, err, ErrProcessNotRunning, "process.signal by id")

	after := p.Info()
	assert.Equal(t, before, after, "a finished process's record does not change")
	assert.Len(t, rec.forID(p.ID), eventsBefore, "no new events for the finished process")
	assert.True(t, bystander.IsRunning(), "the bystander is untouched")
	assert.True(t, pidAlive(bystander.PID), "the bystander is alive")

	require.NoError(t, bystander.Kill())
	waitDone(t, bystander, i3Watchdog)
}

func TestService_Kill_UnknownID_ReturnsErrProcessNotFound(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})

	assert.ErrorIs(t, svc.Kill("no-such-process"), ErrProcessNotFound)
	_, err := svc.Get("no-such-process")
	assert.ErrorIs(t, err, ErrProcessNotFound)
	_, err = svc.Output("no-such-process")
	assert.ErrorIs(t, err, ErrProcessNotFound)
	assert.False(t, svc.IsRunning("no-such-process"))
}

func TestService_RemoveAndClear_DropFinishedOnly(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	running := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})
	done1 := startProcess(t, svc, RunOptions{Command: "true"})
	done2 := startProcess(t, svc, RunOptions{Command: "true"})
	waitDone(t, done1, i3Watchdog)
	waitDone(t, done2, i3Watchdog)

	assert.Error(t, svc.Remove(running.ID), "a running process cannot be removed")
	require.NoError(t, svc.Remove(done1.ID))
	_, err := svc.Get(done1.ID)
	assert.ErrorIs(t, err, ErrProcessNotFound)

	svc.Clear()
	ids := []string{}
	for _, p := range svc.List() {
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{running.ID}, ids, "Clear keeps running processes only")
	assert.Equal(t, []*Process{running}, svc.Running())

	require.NoError(t, running.Kill())
	waitDone(t, running, i3Watchdog)
}

func TestRegister_Standalone_WorksWithoutStartup(t *testing.T) {
	t.Parallel()
	r := Register(core.New())
	require.True(t, r.OK, "Register: %v", r.Value)
	svc, ok := r.Value.(*Service)
	require.True(t, ok, "Register Value is %T", r.Value)

	out := i3Within(t, i3Watchdog, "Run", func() core.Result {
		return svc.Run(context.Background(), "echo", "standalone")
	})
	require.True(t, out.OK, "run: %v", out.Value)
	assert.Equal(t, "standalone\n", out.Value)
}

func TestCoreProcess_WithoutService_Fails(t *testing.T) {
	t.Parallel()
	c := core.New()
	assert.False(t, c.Process().Exists())
	r := c.Process().Run(context.Background(), "echo", "hello")
	assert.False(t, r.OK, "a Core without the process service cannot run processes")
}

// --- Behaviour 5: grandchildren holding the output pipes -----------------

// i3StartedPIDs reports the PID of every process c's process service starts.
func i3StartedPIDs(c *core.Core) <-chan int {
	pids := make(chan int, 16)
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if e, ok := msg.(ActionProcessStarted); ok {
			select {
			case pids <- e.PID:
			default:
			}
		}
		return core.Result{OK: true}
	})
	return pids
}

func TestService_Run_GrandchildHoldsOutput_ReturnsPromptly(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})
	pids := i3StartedPIDs(c)

	result := make(chan core.Result, 1)
	go func() {
		result <- c.Process().Run(context.Background(), "sh", "-c", "sleep 30 & echo hi")
	}()
	select {
	case pid := <-pids:
		// The background sleep is in the shell's group; the service does
		// not kill what a leader leaves behind when it exits on its own.
		killGroupOnCleanup(t, pid)
	case <-time.After(i3Watchdog):
		t.Fatal("the process did not start")
	}

	select {
	case r := <-result:
		require.True(t, r.OK, "run: %v", r.Value)
		assert.Equal(t, "hi\n", r.Value)
	case <-time.After(i3Watchdog):
		// Well before the sleep could end (30 s): a hang on the pipe the
		// sleep still holds.
		t.Fatal("Run did not return while a grandchild held its output open")
	}
}

func TestProcess_Done_GrandchildHoldsOutput_ClosesPromptly(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "sleep 30 & echo hi"}, Detach: true})
	killGroupOnCleanup(t, p.PID)

	waitDone(t, p, i3Watchdog)
	assert.NoError(t, p.Wait())
	assert.False(t, p.IsRunning())
	assert.Equal(t, "hi\n", p.Output())
	info := p.Info()
	assert.Equal(t, StatusExited, info.Status)
	assert.Equal(t, 0, info.ExitCode)
	assert.NotEmpty(t, groupMembers(p.PID), "the sleep lives on: the service leaves a detached process's group alone")
}

// --- Behaviour 8: exit reporting -----------------------------------------

func TestProcess_ExitCode_Reported(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "exit 7"}})
	waitDone(t, p, i3Watchdog)

	info := p.Info()
	assert.Equal(t, StatusExited, info.Status)
	assert.Equal(t, 7, info.ExitCode)
	assert.Empty(t, info.Signal)
	assert.False(t, info.Running)
	assert.Positive(t, info.Duration)

	var exitErr *ExitError
	require.ErrorAs(t, p.Wait(), &exitErr)
	assert.Equal(t, 7, exitErr.Code)
	assert.Empty(t, exitErr.Signal)

	ev := i3Exited(t, rec, p.ID)
	assert.Equal(t, 7, ev.ExitCode)
	assert.Positive(t, ev.Duration)
	require.ErrorAs(t, ev.Error, &exitErr)
	assert.Equal(t, 7, exitErr.Code)
	for _, m := range rec.forID(p.ID) {
		assert.NotEqual(t, "ActionProcessKilled", i3TypeName(m), "not killed by the service")
	}
}

func TestProcess_ExitZero_ReportsSuccess(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{Command: "true"})
	waitDone(t, p, i3Watchdog)

	assert.NoError(t, p.Wait())
	info := p.Info()
	assert.Equal(t, StatusExited, info.Status)
	assert.Equal(t, 0, info.ExitCode)
	assert.Empty(t, info.Signal)
	assert.Positive(t, info.Duration)
	assert.Equal(t, info.Duration, p.Info().Duration, "the duration of an ended process is fixed")

	ev := i3Exited(t, rec, p.ID)
	assert.Equal(t, 0, ev.ExitCode)
	assert.NoError(t, ev.Error)
	assert.Equal(t, info.Duration, ev.Duration)
}

func TestProcess_SignalFromOutside_ReportsSignalAndExited(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	require.NoError(t, syscall.Kill(p.PID, syscall.SIGTERM))
	waitDone(t, p, i3Watchdog)

	info := p.Info()
	assert.Equal(t, StatusExited, info.Status, "the service did not stop it")
	assert.Equal(t, "SIGTERM", info.Signal)
	assert.Equal(t, -1, info.ExitCode)
	assert.Positive(t, info.Duration)

	var exitErr *ExitError
	require.ErrorAs(t, p.Wait(), &exitErr)
	assert.Equal(t, -1, exitErr.Code)
	assert.Equal(t, "SIGTERM", exitErr.Signal)

	ev := i3Exited(t, rec, p.ID)
	assert.Equal(t, -1, ev.ExitCode)
	for _, m := range rec.forID(p.ID) {
		assert.NotEqual(t, "ActionProcessKilled", i3TypeName(m), "not killed by the service")
	}
}

func TestProcess_Signal_DoesNotMarkKilled(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	require.NoError(t, p.Signal(syscall.SIGTERM))
	waitDone(t, p, i3Watchdog)

	info := p.Info()
	assert.Equal(t, StatusExited, info.Status)
	assert.Equal(t, "SIGTERM", info.Signal)
	assert.Equal(t, -1, info.ExitCode)
}

func TestProcess_Kill_ReportsKilled(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	require.NoError(t, p.Kill())
	waitDone(t, p, i3Watchdog)

	info := p.Info()
	assert.Equal(t, StatusKilled, info.Status)
	assert.Equal(t, "SIGKILL", info.Signal)
	assert.Equal(t, -1, info.ExitCode)
	assert.False(t, info.Running)
	assert.Positive(t, info.Duration)
	waitGone(t, p.PID, i3Watchdog)

	var exitErr *ExitError
	require.ErrorAs(t, p.Wait(), &exitErr)
	assert.Equal(t, "SIGKILL", exitErr.Signal)

	i3Exited(t, rec, p.ID)
	events := rec.forID(p.ID)
	require.GreaterOrEqual(t, len(events), 2)
	assert.Equal(t, ActionProcessKilled{ID: p.ID, Signal: "SIGKILL"}, events[len(events)-2])
}

func TestProcess_IsRunning_FalsePromptlyAfterExit(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})

	t.Run("NoOutputNoListener", func(t *testing.T) {
		t.Parallel()
		p := startProcess(t, svc, RunOptions{Command: "true", DisableCapture: true})
		require.Eventually(t, func() bool { return !p.IsRunning() && !svc.IsRunning(p.ID) },
			i3Watchdog, time.Millisecond, "IsRunning stayed true after exit")
		waitDone(t, p, i3Watchdog)
	})
	t.Run("LotsOfOutputNoListener", func(t *testing.T) {
		t.Parallel()
		p := startProcess(t, svc, RunOptions{
			Command: "head", Args: []string{"-c", "8388608", "/dev/zero"}, DisableCapture: true,
		})
		require.Eventually(t, func() bool { return !p.IsRunning() },
			2*i3Watchdog, time.Millisecond, "IsRunning stayed true: nobody drained the output?")
		waitDone(t, p, i3Watchdog)
		assert.NoError(t, p.Wait())
		assert.Equal(t, "", p.Output(), "DisableCapture keeps nothing")
	})
	t.Run("GrandchildHoldsOutput", func(t *testing.T) {
		t.Parallel()
		p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "sleep 30 & exit 0"}})
		killGroupOnCleanup(t, p.PID)
		require.Eventually(t, func() bool { return !p.IsRunning() && !svc.IsRunning(p.ID) },
			i3Watchdog, time.Millisecond, "IsRunning stayed true after the leader exited")
		waitDone(t, p, i3Watchdog)
	})
}

// i3TypeName names the type of a message, for readable assertions.
func i3TypeName(m core.Message) string {
	switch m.(type) {
	case ActionProcessStarted:
		return "ActionProcessStarted"
	case ActionProcessOutput:
		return "ActionProcessOutput"
	case ActionProcessKilled:
		return "ActionProcessKilled"
	case ActionProcessExited:
		return "ActionProcessExited"
	}
	return "other"
}
