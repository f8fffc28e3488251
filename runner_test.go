package process

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestRunner(t *testing.T) (*Runner, *Service) {
	t.Helper()
	_, svc := newTestService(t, Options{})
	return NewRunner(svc), svc
}

func echo(name, text string, after ...string) RunSpec {
	return RunSpec{Name: name, Command: "echo", Args: []string{text}, After: after}
}

func failing(name string, after ...string) RunSpec {
	return RunSpec{Name: name, Command: "sh", Args: []string{"-c", "exit 1"}, After: after}
}

func TestRunner_RunSequential(t *testing.T) {
	runner, _ := newTestRunner(t)
	ctx := context.Background()
	t.Run("all pass", func(t *testing.T) {
		res, err := runner.RunSequential(ctx, []RunSpec{echo("first", "1"), echo("second", "2"), echo("third", "3")})
		require.NoError(t, err)
		assert.True(t, res.Success())
		assert.Equal(t, [3]int{3, 0, 0}, [3]int{res.Passed, res.Failed, res.Skipped})
		assert.Equal(t, "2\n", res.Results[1].Output)
	})
	t.Run("stops on failure", func(t *testing.T) {
		res, err := runner.RunSequential(ctx, []RunSpec{echo("first", "1"), failing("fails"), echo("third", "3")})
		require.NoError(t, err)
		assert.False(t, res.Success())
		assert.Equal(t, [3]int{1, 1, 1}, [3]int{res.Passed, res.Failed, res.Skipped})
		third := res.Results[2]
		assert.True(t, third.Skipped)
		require.Error(t, third.Error)
		assert.Contains(t, third.Error.Error(), "fails failed")
	})
	t.Run("allow failure continues", func(t *testing.T) {
		allowed := failing("fails")
		allowed.AllowFailure = true
		res, err := runner.RunSequential(ctx, []RunSpec{echo("first", "1"), allowed, echo("third", "3")})
		require.NoError(t, err)
		assert.Equal(t, [3]int{2, 1, 0}, [3]int{res.Passed, res.Failed, res.Skipped})
		assert.False(t, res.Success(), "an allowed failure still counts")
	})
}

func TestRunner_RunParallel(t *testing.T) {
	runner, _ := newTestRunner(t)
	t.Run("all pass", func(t *testing.T) {
		res, err := runner.RunParallel(context.Background(), []RunSpec{echo("first", "1"), echo("second", "2"), echo("third", "3")})
		require.NoError(t, err)
		assert.True(t, res.Success())
		assert.Equal(t, 3, res.Passed)
		require.Len(t, res.Results, 3)
		for i, want := range []string{"1\n", "2\n", "3\n"} {
			assert.Equal(t, want, res.Results[i].Output)
		}
	})
	t.Run("a failure stops no other", func(t *testing.T) {
		res, err := runner.RunParallel(context.Background(), []RunSpec{echo("first", "1"), failing("fails"), echo("third", "3")})
		require.NoError(t, err)
		assert.False(t, res.Success())
		assert.Equal(t, [3]int{2, 1, 0}, [3]int{res.Passed, res.Failed, res.Skipped})
	})
	t.Run("runs at once", func(t *testing.T) {
		dir := t.TempDir()
		res, err := runner.RunParallel(context.Background(), waitForEachOther(dir, "a", "b"))
		require.NoError(t, err)
		assert.True(t, res.Success(), "%+v", res.Results)
	})
}

// waitForEachOther returns two specs that each create their marker file
// and then wait (up to 60 s) for the other's: both pass only when they
// run at the same time.
func waitForEachOther(dir, a, b string, after ...string) []RunSpec {
	spec := func(self, other string) RunSpec {
		script := `touch "$1"; i=0; while [ ! -e "$2" ]; do i=$((i+1)); [ $i -gt 6000 ] && exit 1; sleep 0.01; done`
		return RunSpec{Name: self, Command: "sh", Args: []string{"-c", script, "sh", filepath.Join(dir, self), filepath.Join(dir, other)}, After: after}
	}
	return []RunSpec{spec(a, b), spec(b, a)}
}

func TestRunner_RunAll(t *testing.T) {
	runner, _ := newTestRunner(t)
	ctx := context.Background()
	t.Run("respects dependencies, results in input order", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "log")
		step := func(name string, after ...string) RunSpec {
			return RunSpec{Name: name, Command: "sh", Args: []string{"-c", `echo "$1 start" >> "$2"; echo "$1 end" >> "$2"`, "sh", name, log}, After: after}
		}
		specs := []RunSpec{step("third", "second"), step("first"), step("second", "first")}
		res, err := runner.RunAll(ctx, specs)
		require.NoError(t, err)
		assert.True(t, res.Success())
		assert.Equal(t, 3, res.Passed)
		for i, r := range res.Results {
			assert.Equal(t, specs[i].Name, r.Name)
			assert.Equal(t, specs[i].Name, r.Spec.Name)
		}
		data, err := os.ReadFile(log)
		require.NoError(t, err)
		assert.Equal(t, "first start\nfirst end\nsecond start\nsecond end\nthird start\nthird end\n", string(data))
	})
	t.Run("skips dependents of a failure", func(t *testing.T) {
		res, err := runner.RunAll(ctx, []RunSpec{failing("first"), echo("second", "2", "first"), echo("third", "3", "second"), echo("free", "f")})
		require.NoError(t, err)
		assert.False(t, res.Success())
		assert.Equal(t, [3]int{1, 1, 2}, [3]int{res.Passed, res.Failed, res.Skipped})
		assert.True(t, res.Results[1].Skipped)
		assert.Contains(t, res.Results[1].Error.Error(), "first failed")
		assert.True(t, res.Results[2].Skipped)
		assert.Contains(t, res.Results[2].Error.Error(), "second was skipped")
		assert.Equal(t, 0, res.Results[1].ExitCode)
	})
	t.Run("AllowFailure lets dependents run", func(t *testing.T) {
		allowed := failing("first")
		allowed.AllowFailure = true
		res, err := runner.RunAll(ctx, []RunSpec{allowed, echo("second", "2", "first")})
		require.NoError(t, err)
		assert.Equal(t, [3]int{1, 1, 0}, [3]int{res.Passed, res.Failed, res.Skipped})
	})
	t.Run("independent specs run in parallel", func(t *testing.T) {
		dir := t.TempDir()
		specs := append(waitForEachOther(dir, "a", "b"), echo("final", "done", "a", "b"))
		res, err := runner.RunAll(ctx, specs)
		require.NoError(t, err)
		assert.True(t, res.Success(), "%+v", res.Results)
		assert.Equal(t, 3, res.Passed)
	})
}

// A cycle or an unknown After is refused before anything runs: no spec's
// marker file is created.
func TestRunner_RunAll_CycleOrUnknownAfter_ErrorBeforeAnythingRuns(t *testing.T) {
	runner, svc := newTestRunner(t)
	dir := t.TempDir()
	touch := func(name string, after ...string) RunSpec {
		return RunSpec{Name: name, Command: "touch", Args: []string{filepath.Join(dir, name)}, After: after}
	}
	cases := map[string]struct {
		specs []RunSpec
		want  string
	}{
		"cycle":      {[]RunSpec{touch("free"), touch("a", "b"), touch("b", "c"), touch("c", "a")}, "a cycle: a → b → c → a"},
		"self":       {[]RunSpec{touch("free"), touch("a", "a")}, "a comes after itself"},
		"unknown":    {[]RunSpec{touch("free"), touch("a", "missing")}, `a comes after "missing", which is no spec`},
		"long cycle": {[]RunSpec{touch("x", "y"), touch("y", "z"), touch("z", "x", "free"), touch("free")}, "a cycle: x → y → z → x"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := runner.RunAll(context.Background(), c.specs)
			require.Error(t, err)
			assert.Nil(t, res)
			assert.ErrorIs(t, err, ErrRunnerInvalidAfter)
			assert.Contains(t, err.Error(), c.want)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing ran")
		})
	}
	assert.Empty(t, svc.List(), "the service started nothing")
}

// A Runner's result holds what Service.Run gives for the same command:
// the same output bytes and the same exit code.
func TestRunner_OutputAndExitCodes_MatchRun(t *testing.T) {
	runner, svc := newTestRunner(t)
	specs := []RunSpec{
		{Name: "mixed", Command: "sh", Args: []string{"-c", "printf 'out1\\n'; printf 'err1\\n' >&2; printf 'no newline'"}},
		{Name: "exit3", Command: "sh", Args: []string{"-c", "echo before; exit 3"}},
		{Name: "killed", Command: "sh", Args: []string{"-c", "echo dying; kill -9 $$"}},
		{Name: "env", Command: "sh", Args: []string{"-c", "echo $RUNNER_X; pwd"}, Env: []string{"RUNNER_X=x1"}, Dir: t.TempDir()},
		{Name: "missing", Command: "no-such-command-go-process-test"},
	}
	res, err := runner.RunParallel(context.Background(), specs)
	require.NoError(t, err)
	for i, spec := range specs {
		r := svc.RunWithOptions(context.Background(), RunOptions{Command: spec.Command, Args: spec.Args, Dir: spec.Dir, Env: spec.Env})
		got := res.Results[i]
		if r.OK {
			assert.Equal(t, r.Value.(string), got.Output, spec.Name)
			assert.Equal(t, 0, got.ExitCode, spec.Name)
			assert.NoError(t, got.Error, spec.Name)
			continue
		}
		require.Error(t, got.Error, spec.Name)
		var want *ExitError
		if errors.As(r.Value.(error), &want) {
			assert.Equal(t, want.Output, got.Output, spec.Name)
			assert.Equal(t, want.Code, got.ExitCode, spec.Name)
			assert.Equal(t, r.Value.(error).Error(), got.Error.Error(), spec.Name)
		} else {
			assert.Equal(t, -1, got.ExitCode, spec.Name)
			assert.Contains(t, got.Error.Error(), spec.Command, spec.Name)
		}
	}
	assert.Equal(t, "out1\nerr1\nno newline", res.Results[0].Output)
	assert.Equal(t, 3, res.Results[1].ExitCode)
	assert.Equal(t, "before\n", res.Results[1].Output)
	assert.Equal(t, -1, res.Results[2].ExitCode)
	assert.Equal(t, "dying\n", res.Results[2].Output)
	assert.True(t, strings.HasPrefix(res.Results[3].Output, "x1\n"))
	// Every spec that could start is in the service's process table.
	commands := map[string]int{}
	for _, p := range svc.List() {
		commands[p.Command]++
	}
	assert.Equal(t, 8, commands["sh"], "4 through the Runner, 4 through Run")
}

func TestRunner_ContextAlreadyCancelled_EverySpecSkipped(t *testing.T) {
	runner, svc := newTestRunner(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	specs := []RunSpec{echo("first", "1"), echo("second", "2", "first")}
	for name, run := range map[string]func(context.Context, []RunSpec) (*RunAllResult, error){
		"RunAll": runner.RunAll, "RunSequential": runner.RunSequential, "RunParallel": runner.RunParallel,
	} {
		res, err := run(ctx, specs)
		require.NoError(t, err, name)
		assert.Equal(t, [3]int{0, 0, 2}, [3]int{res.Passed, res.Failed, res.Skipped}, name)
		for _, r := range res.Results {
			assert.True(t, r.Skipped, name)
			assert.Equal(t, 1, r.ExitCode, name)
			require.Error(t, r.Error, name)
			assert.ErrorIs(t, r.Error, context.Canceled, name)
		}
	}
	assert.Empty(t, svc.List())
}

// Cancelling ctx stops the spec that runs (its process is gone) and skips
// the ones that had not started.
func TestRunner_RunAll_CancelWhileRunning_StopsItAndSkipsPending(t *testing.T) {
	runner, svc := newTestRunner(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan *RunAllResult, 1)
	go func() {
		res, err := runner.RunAll(ctx, []RunSpec{
			{Name: "long", Command: "sleep", Args: []string{"60"}},
			echo("after", "x", "long"),
		})
		assert.NoError(t, err)
		done <- res
	}()
	var pid int
	require.Eventually(t, func() bool {
		for _, p := range svc.Running() {
			if p.Command == "sleep" {
				pid = p.PID
				return true
			}
		}
		return false
	}, 30*time.Second, 5*time.Millisecond)
	killOnCleanup(t, pid)
	cancel()
	var res *RunAllResult
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("RunAll did not return after cancel")
	}
	waitGone(t, pid, 10*time.Second)
	long, after := res.Results[0], res.Results[1]
	assert.False(t, long.Skipped)
	assert.Error(t, long.Error)
	assert.True(t, after.Skipped)
	assert.ErrorIs(t, after.Error, context.Canceled)
	assert.Equal(t, [3]int{0, 1, 1}, [3]int{res.Passed, res.Failed, res.Skipped})
}

func TestRunResult_Passed(t *testing.T) {
	assert.True(t, RunResult{}.Passed())
	assert.False(t, RunResult{ExitCode: 1}.Passed())
	assert.False(t, RunResult{Skipped: true}.Passed())
	assert.False(t, RunResult{Error: assert.AnError}.Passed())
	assert.True(t, RunAllResult{Passed: 2, Skipped: 1}.Success())
	assert.False(t, RunAllResult{Passed: 2, Failed: 1}.Success())
}

func TestRunner_NilService_ErrRunnerNoService(t *testing.T) {
	runner := NewRunner(nil)
	_, err := runner.RunAll(context.Background(), nil)
	assert.ErrorIs(t, err, ErrRunnerNoService)
	_, err = runner.RunSequential(context.Background(), nil)
	assert.ErrorIs(t, err, ErrRunnerNoService)
	_, err = runner.RunParallel(context.Background(), nil)
	assert.ErrorIs(t, err, ErrRunnerNoService)
}

func TestRunner_EmptyOrDuplicateNames_ErrRunnerInvalidSpecName(t *testing.T) {
	runner, svc := newTestRunner(t)
	_, err := runner.RunSequential(context.Background(), []RunSpec{{Command: "echo"}})
	assert.ErrorIs(t, err, ErrRunnerInvalidSpecName)
	assert.Contains(t, err.Error(), `spec 0 (command "echo") has no name`)
	_, err = runner.RunAll(context.Background(), []RunSpec{echo("same", "a"), echo("same", "b")})
	assert.ErrorIs(t, err, ErrRunnerInvalidSpecName)
	assert.Contains(t, err.Error(), `"same"`)
	_, err = runner.RunParallel(context.Background(), []RunSpec{echo("one", "a"), echo("one", "b")})
	assert.ErrorIs(t, err, ErrRunnerInvalidSpecName)
	assert.Empty(t, svc.List(), "nothing ran")
}
