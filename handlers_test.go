package process

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the process.* action handlers' strict option decoding: bad input
// gives OK:false with an error naming the action and the option key, never
// a panic, and leaves running processes alone; the documented forms of
// good input are accepted.

// i3Actions are the actions the service registers.
var i3Actions = []string{
	"process.run", "process.start", "process.kill", "process.list", "process.get",
	"process.output", "process.wait", "process.signal", "process.input", "process.resize",
}

func TestHandlers_OnStartup_RegistersEveryAction(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})
	for _, name := range i3Actions {
		assert.True(t, c.Action(name).Exists(), "%s registered", name)
	}
	assert.True(t, c.Process().Exists())
}

func TestHandlers_BadInput_FailsNamingActionAndKey(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	running := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})
	id := running.ID
	const unknown = "no-such-process"

	cases := []struct {
		action string
		opts   core.Options
		key    string // the option the error must name, quoted
		also   string // an extra substring the message must hold
	}{
		// process.run
		{"process.run", i3Opts(), "command", "required"},
		{"process.run", i3Opts("command", 42), "command", "int"},
		{"process.run", i3Opts("command", ""), "command", ""},
		{"process.run", i3Opts("command", []string{"echo"}), "command", ""},
		{"process.run", i3Opts("command", "echo", "args", []any{"a", 1}), "args", `process.run: option "args": item 1: want a string, got int`},
		{"process.run", i3Opts("command", "echo", "args", "a b"), "args", ""},
		{"process.run", i3Opts("command", "echo", "args", []int{1}), "args", ""},
		{"process.run", i3Opts("command", "echo", "env", "FOO=1"), "env", ""},
		{"process.run", i3Opts("command", "echo", "env", []any{"A=1", nil}), "env", "item 1"},
		{"process.run", i3Opts("command", "echo", "timeout", true), "timeout", ""},
		{"process.run", i3Opts("command", "echo", "timeout", "soon"), "timeout", "soon"},
		{"process.run", i3Opts("command", "echo", "timeout", -5), "timeout", "bare number"},
		{"process.run", i3Opts("command", "echo", "timeout", "-1s"), "timeout", "negative"},
		{"process.run", i3Opts("command", "echo", "timeout", 1.5), "timeout", `"1.5s"`},
		{"process.run", i3Opts("command", "echo", "timeout", time.Now()), "timeout", ""},
		{"process.run", i3Opts("command", "echo", "dir", 7), "dir", ""},
		{"process.run", i3Opts("command", "echo", "input", []byte("x")), "input", ""},
		// process.start
		{"process.start", i3Opts(), "command", "required"},
		{"process.start", i3Opts("command", 42), "command", ""},
		{"process.start", i3Opts("command", "sleep", "args", []any{"30", 5}), "args", "item 1"},
		{"process.start", i3Opts("command", "sleep", "detach", "yes"), "detach", ""},
		{"process.start", i3Opts("command", "sleep", "pty", 1), "pty", ""},
		{"process.start", i3Opts("command", "sleep", "grace", "later"), "grace", ""},
		{"process.start", i3Opts("command", "sleep", "grace", -1), "grace", ""},
		{"process.start", i3Opts("command", "sleep", "rows", 70000), "rows", ""},
		{"process.start", i3Opts("command", "sleep", "cols", -1), "cols", ""},
		{"process.start", i3Opts("command", "sleep", "rows", "24"), "rows", ""},
		// process.kill
		{"process.kill", i3Opts(), "id", ""},
		{"process.kill", i3Opts("id", 5), "id", ""},
		{"process.kill", i3Opts("pid", 0), "pid", ""},
		{"process.kill", i3Opts("pid", 1), "pid", ""},
		{"process.kill", i3Opts("pid", -5), "pid", ""},
		{"process.kill", i3Opts("pid", "123"), "pid", ""},
		{"process.kill", i3Opts("pid", 1.5), "pid", ""},
		{"process.kill", i3Opts("id", unknown), "id", unknown},
		// process.signal
		{"process.signal", i3Opts("id", id), "signal", "required"},
		{"process.signal", i3Opts("id", id, "signal", "SIGFOO"), "signal", "SIGFOO"},
		{"process.signal", i3Opts("id", id, "signal", ""), "signal", ""},
		{"process.signal", i3Opts("id", id, "signal", 99), "signal", ""},
		{"process.signal", i3Opts("id", id, "signal", -1), "signal", ""},
		{"process.signal", i3Opts("id", id, "signal", true), "signal", ""},
		{"process.signal", i3Opts("signal", "TERM"), "id", ""},
		{"process.signal", i3Opts("pid", 0, "signal", "TERM"), "pid", ""},
		{"process.signal", i3Opts("pid", -5, "signal", "TERM"), "pid", ""},
		{"process.signal", i3Opts("id", unknown, "signal", "TERM"), "id", unknown},
		// process.list
		{"process.list", i3Opts("running", "yes"), "running", ""},
		// process.get, process.output, process.wait
		{"process.get", i3Opts(), "id", "required"},
		{"process.get", i3Opts("id", 5), "id", ""},
		{"process.get", i3Opts("id", ""), "id", ""},
		{"process.get", i3Opts("id", unknown), "id", unknown},
		{"process.output", i3Opts(), "id", ""},
		{"process.output", i3Opts("id", []string{id}), "id", ""},
		{"process.output", i3Opts("id", unknown), "id", unknown},
		{"process.wait", i3Opts(), "id", ""},
		{"process.wait", i3Opts("id", 5), "id", ""},
		{"process.wait", i3Opts("id", unknown), "id", unknown},
		// process.input
		{"process.input", i3Opts(), "id", ""},
		{"process.input", i3Opts("id", id), "input", "required"},
		{"process.input", i3Opts("id", id, "input", 5), "input", ""},
		{"process.input", i3Opts("id", unknown, "input", "x"), "id", unknown},
		// process.resize
		{"process.resize", i3Opts(), "id", ""},
		{"process.resize", i3Opts("id", id, "rows", 0, "cols", 80), "rows", ""},
		{"process.resize", i3Opts("id", id, "rows", 24, "cols", 70000), "cols", ""},
		{"process.resize", i3Opts("id", id, "rows", 24), "cols", "required"},
		{"process.resize", i3Opts("id", id, "rows", "24", "cols", 80), "rows", ""},
		{"process.resize", i3Opts("id", unknown, "rows", 24, "cols", 80), "id", unknown},
	}

	for i, tc := range cases {
		r := i3Run(t, c, tc.action, tc.opts)
		if !assert.False(t, r.OK, "case %d: %s %v succeeded", i, tc.action, tc.opts.Items()) {
			continue
		}
		err, isErr := r.Value.(error)
		if !assert.True(t, isErr, "case %d: %s: Value is %T, want error", i, tc.action, r.Value) {
			continue
		}
		msg := err.Error()
		assert.Contains(t, msg, tc.action, "case %d: the error names the action", i)
		assert.Contains(t, msg, strconv.Quote(tc.key), "case %d: the error names the option", i)
		assert.Contains(t, msg, tc.also, "case %d", i)
		assert.NotContains(t, msg, "panic", "case %d: the handler panicked", i)
		if tc.also == unknown {
			assert.ErrorIs(t, err, ErrProcessNotFound, "case %d", i)
		}
		require.True(t, running.IsRunning(), "case %d: %s %v disturbed the running process", i, tc.action, tc.opts.Items())
	}

	// Nothing was started by a bad call, and the running process is intact.
	assert.Equal(t, []*Process{running}, svc.List())
	assert.Equal(t, StatusRunning, running.Info().Status)
	assert.True(t, pidAlive(running.PID))
}

func TestHandlers_BadInput_RefusedWithoutKey(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	running := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	cases := []struct {
		action string
		opts   core.Options
	}{
		// Signal 0 only probes: harmless should the refusal ever break.
		{"process.signal", i3Opts("pid", os.Getpid(), "signal", 0)},
		{"process.resize", i3Opts("id", running.ID, "rows", 24, "cols", 80)}, // not a PTY
	}
	for _, tc := range cases {
		err := i3Err(t, i3Run(t, c, tc.action, tc.opts))
		assert.Contains(t, err.Error(), tc.action)
		assert.NotContains(t, err.Error(), "panic")
	}
	assert.True(t, running.IsRunning())
}

func TestHandlers_Timeout_AcceptedForms(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})

	forms := map[string]any{
		"string":   "200ms",
		"Duration": 200 * time.Millisecond,
	}
	for name, timeout := range forms {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := i3Within(t, 2*i3Watchdog, "process.run", func() core.Result {
				return c.Action("process.run").Run(context.Background(),
					i3Opts("command", "sleep", "args", []string{"30"}, "timeout", timeout))
			})
			var exitErr *ExitError
			require.ErrorAs(t, i3Err(t, r), &exitErr, "the timeout stopped the process")
			assert.Equal(t, "SIGTERM", exitErr.Signal)
			assert.Equal(t, -1, exitErr.Code)
		})
	}
}

func TestHandlers_Grace_AcceptedForms(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})

	forms := map[string]any{
		"string":   "1500ms",
		"Duration": 1500 * time.Millisecond,
	}
	for name, grace := range forms {
		r := i3Run(t, c, "process.start", i3Opts("command", "sleep", "args", []any{"30"}, "grace", grace))
		require.True(t, r.OK, "%s: process.start: %v", name, r.Value)
		p, err := svc.Get(r.Value.(string))
		require.NoError(t, err)
		killOnCleanup(t, p.PID)
		assert.Equal(t, 1500*time.Millisecond, p.grace, "%s", name)
		require.NoError(t, p.Kill())
		waitDone(t, p, i3Watchdog)
	}
}

func TestHandlers_ArgsAndEnv_AcceptAnySlices(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})

	r := i3Run(t, c, "process.run", i3Opts("command", "echo", "args", []any{"a", "b"}))
	require.True(t, r.OK, "process.run: %v", r.Value)
	assert.Equal(t, "a b\n", r.Value)

	r = i3Run(t, c, "process.run", i3Opts("command", "echo", "args", []string{"c", "d"}))
	require.True(t, r.OK, "process.run: %v", r.Value)
	assert.Equal(t, "c d\n", r.Value)

	r = i3Run(t, c, "process.run", i3Opts(
		"command", "sh", "args", []any{"-c", `echo "$GOPROCESS_A $GOPROCESS_B"`},
		"env", []any{"GOPROCESS_A=1", "GOPROCESS_B=2"}))
	require.True(t, r.OK, "process.run: %v", r.Value)
	assert.Equal(t, "1 2\n", r.Value)

	dir := t.TempDir()
	r = i3Run(t, c, "process.run", i3Opts("command", "sh", "args", []any{"-c", "pwd -P"}, "dir", dir))
	require.True(t, r.OK, "process.run: %v", r.Value)
	assert.NotEmpty(t, r.Value)
}

func TestHandlers_Signal_AcceptedForms(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})

	forms := map[string]any{
		"TERM":    "TERM",
		"SIGTERM": "SIGTERM",
		"term":    "term",
		"15":      "15",
		"int":     15,
		"int64":   int64(15),
		"float64": float64(15),
	}
	for name, sig := range forms {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := i3Run(t, c, "process.start", i3Opts("command", "sleep", "args", []string{"30"}))
			require.True(t, r.OK, "process.start: %v", r.Value)
			id := r.Value.(string)
			info := i3Run(t, c, "process.get", i3Opts("id", id)).Value.(ProcessInfo)
			killOnCleanup(t, info.PID)

			r = i3Run(t, c, "process.signal", i3Opts("id", id, "signal", sig))
			require.True(t, r.OK, "process.signal %v: %v", sig, r.Value)
			r = i3Run(t, c, "process.wait", i3Opts("id", id))
			require.True(t, r.OK, "process.wait: %v", r.Value)
			final := r.Value.(ProcessInfo)
			assert.Equal(t, "SIGTERM", final.Signal)
			assert.Equal(t, StatusExited, final.Status, "a signal alone does not mark the process killed")
		})
	}
}

func TestHandlers_Signal_ByPID(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	r := i3Run(t, c, "process.signal", i3Opts("pid", p.PID, "signal", "SIGTERM"))
	require.True(t, r.OK, "process.signal: %v", r.Value)
	waitDone(t, p, i3Watchdog)
	assert.Equal(t, "SIGTERM", p.Info().Signal)
}

func TestHandlers_Kill_ByPIDOfManagedProcess_ReportsKilled(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	r := i3Run(t, c, "process.kill", i3Opts("pid", p.PID))
	require.True(t, r.OK, "process.kill: %v", r.Value)
	waitDone(t, p, i3Watchdog)
	assert.Equal(t, StatusKilled, p.Info().Status)
}

func TestHandlers_Kill_ByPIDOfUnmanagedProcess_GroupContainment(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{Containment: ContainmentGroup})

	cmd := exec.Command("sleep", "30")
	require.NoError(t, cmd.Start())
	killOnCleanup(t, cmd.Process.Pid)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	r := i3Run(t, c, "process.kill", i3Opts("pid", cmd.Process.Pid))
	require.True(t, r.OK, "process.kill: %v", r.Value)
	select {
	case <-waited:
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		assert.True(t, ws.Signaled())
		assert.Equal(t, syscall.SIGKILL, ws.Signal())
	case <-time.After(i3Watchdog):
		t.Fatal("the unmanaged process was not killed")
	}
}

func TestHandlers_InputAndOutput(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	r := i3Run(t, c, "process.start", i3Opts("command", "cat"))
	require.True(t, r.OK, "process.start: %v", r.Value)
	id := r.Value.(string)
	p, err := svc.Get(id)
	require.NoError(t, err)
	killOnCleanup(t, p.PID)

	r = i3Run(t, c, "process.input", i3Opts("id", id, "input", "ping\n"))
	require.True(t, r.OK, "process.input: %v", r.Value)
	require.Eventually(t, func() bool {
		r := c.Action("process.output").Run(context.Background(), i3Opts("id", id))
		return r.OK && r.Value == "ping\n"
	}, i3Watchdog, 5*time.Millisecond, "cat echoed the input")

	require.NoError(t, p.CloseStdin())
	r = i3Run(t, c, "process.wait", i3Opts("id", id))
	require.True(t, r.OK, "process.wait: %v", r.Value)
	info := r.Value.(ProcessInfo)
	assert.Equal(t, StatusExited, info.Status)
	assert.Equal(t, 0, info.ExitCode)

	r = i3Run(t, c, "process.output", i3Opts("id", id))
	require.True(t, r.OK, "process.output: %v", r.Value)
	assert.Equal(t, "ping\n", r.Value)
}

func TestHandlers_Wait_HonoursContext(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := i3Within(t, i3Watchdog, "process.wait", func() core.Result {
		return c.Action("process.wait").Run(ctx, i3Opts("id", p.ID))
	})
	err := i3Err(t, r)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "process.wait")
	assert.True(t, p.IsRunning(), "giving up waiting does not stop the process")

	require.NoError(t, p.Kill())
	waitDone(t, p, i3Watchdog)
}

func TestHandlers_List_RunningFilter(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	running := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})
	done := startProcess(t, svc, RunOptions{Command: "true"})
	waitDone(t, done, i3Watchdog)

	ids := func(r core.Result) []string {
		require.True(t, r.OK, "process.list: %v", r.Value)
		var out []string
		for _, info := range r.Value.([]ProcessInfo) {
			out = append(out, info.ID)
		}
		return out
	}
	assert.Equal(t, []string{running.ID, done.ID}, ids(i3Run(t, c, "process.list", i3Opts())))
	assert.Equal(t, []string{running.ID, done.ID}, ids(i3Run(t, c, "process.list", i3Opts("running", false))))
	assert.Equal(t, []string{running.ID}, ids(i3Run(t, c, "process.list", i3Opts("running", true))))

	require.NoError(t, running.Kill())
	waitDone(t, running, i3Watchdog)
}

func TestHandlers_Input_CloseSignalsEndOfInput(t *testing.T) {
	c, svc := newTestService(t, Options{})
	r := c.Process().Start(t.Context(), core.NewOptions(core.Option{Key: "command", Value: "cat"}))
	require.True(t, r.OK, "process.start: %v", r.Value)
	p, err := svc.Get(r.Value.(string))
	require.NoError(t, err)
	killOnCleanup(t, p.PID)

	input := func(opts ...core.Option) core.Result {
		return c.Action("process.input").Run(t.Context(), core.NewOptions(append([]core.Option{{Key: "id", Value: p.ID}}, opts...)...))
	}
	r = input(core.Option{Key: "close", Value: "yes"})
	require.False(t, r.OK)
	assert.Contains(t, r.Value.(error).Error(), `option "close"`)

	r = input(core.Option{Key: "input", Value: "last words\n"}, core.Option{Key: "close", Value: true})
	require.True(t, r.OK, "process.input with close: %v", r.Value)
	waitDone(t, p, 10*time.Second)
	assert.NoError(t, p.Wait(), "cat ends at the end of its input")
	assert.Equal(t, "last words\n", p.Output())

	r = input(core.Option{Key: "close", Value: true})
	require.False(t, r.OK, "the process has ended")
	assert.ErrorIs(t, r.Value.(error), ErrProcessNotRunning)
}
