package process

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The actions refuse what they do not understand: an unknown key, named
// with the closest known one, and a bare number for a duration.

func TestHandlers_UnknownKey_NamesTheClosestKnownKey(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	running := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	cases := []struct {
		action string
		opts   core.Options
		want   string // the whole message
	}{
		{"process.start", i3Opts("command", "echo", "arg", []string{"hi"}),
			`process.start: unknown option "arg" (did you mean "args"?)`},
		{"process.run", i3Opts("command", "echo", "arg", []any{"hi"}),
			`process.run: unknown option "arg" (did you mean "args"?)`},
		{"process.run", i3Opts("command", "sleep", "args", []string{"30"}, "timeoutt", "1s"),
			`process.run: unknown option "timeoutt" (did you mean "timeout"?)`},
		{"process.run", i3Opts("command", "echo", "Dir", "/"),
			`process.run: unknown option "Dir" (did you mean "dir"?)`},
		{"process.run", i3Opts("command", "echo", "outputlimit", 5),
			`process.run: unknown option "outputlimit" (did you mean "outputLimit"?)`},
		{"process.list", i3Opts("runing", true),
			`process.list: unknown option "runing" (did you mean "running"?)`},
		{"process.get", i3Opts("ID", running.ID),
			`process.get: unknown option "ID" (did you mean "id"?)`},
		{"process.kill", i3Opts("id", running.ID, "signal", "TERM"),
			`process.kill: unknown option "signal" (known options: id, pid)`},
		{"process.signal", i3Opts("id", running.ID, "sig", "TERM"),
			`process.signal: unknown option "sig" (did you mean "signal"?)`},
		{"process.input", i3Opts("id", running.ID, "text", "x"),
			`process.input: unknown option "text" (known options: id, input, close)`},
		{"process.resize", i3Opts("id", running.ID, "rows", 24, "columns", 80),
			`process.resize: unknown option "columns" (did you mean "cols"?)`},
		{"process.wait", i3Opts("id", running.ID, "timeout", "1s"),
			`process.wait: unknown option "timeout" (known options: id)`},
	}
	for _, tc := range cases {
		err := i3Err(t, i3Run(t, c, tc.action, tc.opts))
		assert.EqualError(t, err, tc.want)
	}
	assert.Equal(t, []*Process{running}, svc.List(), "nothing started, nothing removed")
	assert.True(t, running.IsRunning(), "nothing killed")
}

// An unknown key is reported before anything else is checked: it is the
// likeliest cause of the rest.
func TestHandlers_UnknownKey_ReportedFirst(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})
	err := i3Err(t, i3Run(t, c, "process.run", i3Opts("cmd", "echo")))
	assert.EqualError(t, err, `process.run: unknown option "cmd" (did you mean "command"?)`)
}

func TestHandlers_Duration_BareNumberRefusedShowingTheStringForm(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	var fromJSON map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"timeout": 5}`), &fromJSON))

	for name, timeout := range map[string]any{"int": 5, "int64": int64(5), "JSON number": fromJSON["timeout"]} {
		err := i3Err(t, i3Run(t, c, "process.run", i3Opts("command", "sleep", "args", []string{"30"}, "timeout", timeout)))
		assert.EqualError(t, err,
			`process.run: option "timeout": a bare number is ambiguous: write "5s" for seconds or "5ms" for milliseconds (a duration string, or a time.Duration), got 5`,
			"%s", name)
	}
	err := i3Err(t, i3Run(t, c, "process.start", i3Opts("command", "sleep", "args", []string{"30"}, "grace", 2.5)))
	assert.Contains(t, err.Error(), `process.start: option "grace": a bare number is ambiguous: write "2.5s"`)
	assert.Empty(t, svc.List(), "nothing was started")

	// The forms it names work.
	r := i3Run(t, c, "process.run", i3Opts("command", "echo", "args", []string{"ok"}, "timeout", "5s", "grace", 2*time.Second))
	require.True(t, r.OK, "%v", r.Value)
	assert.Equal(t, "ok\n", r.Value)
}

// A task step that pipes the previous step's result gets the framework's
// "_input" key, which is not the caller's mistake.
func TestHandlers_FrameworkInputKey_Allowed(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})
	c.Task("two-steps", core.Task{Steps: []core.Step{
		{Action: "process.run", With: i3Opts("command", "echo", "args", []string{"one"})},
		{Action: "process.run", With: i3Opts("command", "echo", "args", []string{"two"}), Input: "previous"},
	}})
	r := i3Within(t, i3Watchdog, "task", func() core.Result {
		return c.Task("two-steps").Run(context.Background(), c, core.Options{})
	})
	require.True(t, r.OK, "%v", r.Value)
	assert.Equal(t, "two\n", r.Value)
}

func TestClosestKey(t *testing.T) {
	t.Parallel()
	known := []string{"command", "args", "dir", "env", "timeout", "grace", "outputLimit"}
	cases := map[string]string{
		"arg":         "args",
		"argv":        "args",
		"timout":      "timeout",
		"TIMEOUT":     "timeout",
		"outputlimit": "outputLimit",
		"graceful":    "grace",
		"cmd":         "command",
		"dirr":        "dir",
	}
	for key, want := range cases {
		got, ok := closestKey(key, known)
		assert.True(t, ok, "%q has a near key", key)
		assert.Equal(t, want, got, "%q", key)
	}
	for _, key := range []string{"xyz", "verbose", "user"} {
		got, ok := closestKey(key, known)
		assert.False(t, ok, "%q is near nothing, got %q", key, got)
	}
}
