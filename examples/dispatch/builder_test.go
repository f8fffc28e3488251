package main

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
)

// These tests show how a service that dispatches process.* actions is
// tested without running anything: register a fake handler under the
// action's name on the test's Core. The process package is imported only by
// the last test, which checks the wiring with the real service.

// runCall is one process.run the fake received.
type runCall struct {
	Command string
	Args    []string
	Dir     string
	Env     []string
}

// fakeRun is a fake process.run handler. It records every call and answers
// with reply.
type fakeRun struct {
	mu    sync.Mutex
	calls []runCall
	reply func(runCall) core.Result
}

func (f *fakeRun) handle(_ context.Context, opts core.Options) core.Result {
	call := runCall{
		Command: opts.String("command"),
		Args:    stringList(opts, "args"),
		Dir:     opts.String("dir"),
		Env:     stringList(opts, "env"),
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
	return f.reply(call)
}

func (f *fakeRun) received() []runCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]runCall(nil), f.calls...)
}

// stringList reads a []string option; missing or nil gives nil.
func stringList(opts core.Options, key string) []string {
	list, _ := opts.Get(key).Value.([]string)
	if len(list) == 0 {
		return nil
	}
	return list
}

// newBuilder returns a Core with only the Builder service, and the Builder.
func newBuilder(t *testing.T) (*core.Core, *Builder) {
	t.Helper()
	c := core.New(core.WithName("builder", NewBuilder))
	b, ok := core.ServiceFor[*Builder](c, "builder")
	require.True(t, ok, "builder registered")
	return c, b
}

func TestBuilder_Build_WithFakeRun_PassesCommandArgsDirAndEnv(t *testing.T) {
	c, b := newBuilder(t)
	fake := &fakeRun{reply: func(call runCall) core.Result {
		return core.Result{Value: "output of " + call.Command, OK: true}
	}}
	c.Action("process.run", fake.handle)
	require.True(t, c.Process().Exists(), "a process.run handler gives the Core process capability")

	r := b.Build(context.Background(),
		Step{Name: "vet", Command: "go", Args: []string{"vet", "./..."}, Dir: "/src/app"},
		Step{Name: "test", Command: "go", Args: []string{"test", "-short"}, Env: []string{"CGO_ENABLED=0"}},
	)

	require.True(t, r.OK, "build: %v", r.Value)
	assert.Equal(t, []runCall{
		{Command: "go", Args: []string{"vet", "./..."}, Dir: "/src/app"},
		{Command: "go", Args: []string{"test", "-short"}, Env: []string{"CGO_ENABLED=0"}},
	}, fake.received())
	assert.Equal(t, []StepResult{
		{Name: "vet", Output: "output of go"},
		{Name: "test", Output: "output of go"},
	}, r.Value)
}

func TestBuilder_Build_WithFakeRunFailing_StopsAtTheStepAndKeepsTheError(t *testing.T) {
	c, b := newBuilder(t)
	errCompile := errors.New("process exited with status 2")
	fake := &fakeRun{reply: func(call runCall) core.Result {
		if call.Args[0] == "build" {
			return core.Result{Value: errCompile}
		}
		return core.Result{Value: "ok", OK: true}
	}}
	c.Action("process.run", fake.handle)

	r := b.Build(context.Background(),
		Step{Name: "vet", Command: "go", Args: []string{"vet"}},
		Step{Name: "compile", Command: "go", Args: []string{"build"}},
		Step{Name: "package", Command: "tar", Args: []string{"czf", "app.tgz", "app"}},
	)

	require.False(t, r.OK, "a failing step fails the build")
	err, isErr := r.Value.(error)
	require.True(t, isErr, "a failed Result carries an error, got %T", r.Value)
	assert.ErrorIs(t, err, errCompile, "the action's error is wrapped, not replaced")
	assert.Contains(t, err.Error(), `step "compile"`)
	calls := fake.received()
	require.Len(t, calls, 2, "the step after the failure never runs")
	assert.Equal(t, []string{"build"}, calls[1].Args)
}

func TestBuilder_WithoutProcessService_FailsCleanly(t *testing.T) {
	c, b := newBuilder(t)
	require.True(t, c.ServiceStartup(context.Background(), nil).OK)
	t.Cleanup(func() { c.ServiceShutdown(context.Background()) })

	assert.False(t, c.Process().Exists(), "no process service, no process capability")

	r := b.Build(context.Background(), Step{Name: "vet", Command: "go", Args: []string{"vet"}})
	assert.False(t, r.OK)
	require.Error(t, r.Value.(error))
	assert.Contains(t, r.Value.(error).Error(), "process.run", "the error names the missing action")

	r = b.Start(context.Background(), Step{Name: "watch", Command: "sleep", Args: []string{"60"}})
	assert.False(t, r.OK)
	assert.Contains(t, r.Value.(error).Error(), "process.start")

	r = b.Cancel(context.Background(), "id-1-abcdef", time.Second)
	assert.False(t, r.OK)
	assert.Contains(t, r.Value.(error).Error(), "process.kill")
}

func TestBuilder_Jobs_WithFakeActions_DispatchByID(t *testing.T) {
	c, b := newBuilder(t)
	var mu sync.Mutex
	var log []string
	record := func(name string) core.ActionHandler {
		return func(_ context.Context, opts core.Options) core.Result {
			mu.Lock()
			defer mu.Unlock()
			switch name {
			case "process.start":
				log = append(log, name+" "+opts.String("command"))
				return core.Result{Value: "job-1", OK: true}
			case "process.output":
				log = append(log, name+" "+opts.String("id"))
				return core.Result{Value: "indexed 42 files\n", OK: true}
			default:
				log = append(log, name+" "+opts.String("id"))
				return core.Result{OK: true}
			}
		}
	}
	for _, name := range []string{"process.start", "process.wait", "process.output", "process.kill"} {
		c.Action(name, record(name))
	}
	ctx := context.Background()

	r := b.Start(ctx, Step{Name: "index", Command: "indexer"})
	require.True(t, r.OK, "start: %v", r.Value)
	require.Equal(t, "job-1", r.Value)
	r = b.Finish(ctx, "job-1")
	require.True(t, r.OK, "finish: %v", r.Value)
	assert.Equal(t, "indexed 42 files\n", r.Value)
	r = b.Cancel(ctx, "job-1", time.Second)
	require.True(t, r.OK, "cancel: %v", r.Value)

	assert.Equal(t, []string{
		"process.start indexer",
		"process.wait job-1",
		"process.output job-1",
		"process.kill job-1",
		"process.wait job-1",
	}, log)
}

func TestBuilder_WithRealProcessService_RunsAndReportsExitErrors(t *testing.T) {
	c := core.New(core.WithService(process.Register), core.WithName("builder", NewBuilder))
	ctx := context.Background()
	require.True(t, c.ServiceStartup(ctx, nil).OK)
	t.Cleanup(func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.ServiceShutdown(shutdownCtx)
	})
	b := core.MustServiceFor[*Builder](c, "builder")

	r := b.Build(ctx, Step{Name: "greet", Command: "sh", Args: []string{"-c", `echo "$GREETING"`}, Env: []string{"GREETING=hello"}})
	require.True(t, r.OK, "build: %v", r.Value)
	assert.Equal(t, []StepResult{{Name: "greet", Output: "hello\n"}}, r.Value)

	r = b.Build(ctx, Step{Name: "fail", Command: "sh", Args: []string{"-c", "echo broken >&2; exit 3"}})
	require.False(t, r.OK)
	var exitErr *process.ExitError
	require.ErrorAs(t, r.Value.(error), &exitErr)
	assert.Equal(t, 3, exitErr.Code)
	assert.Equal(t, "broken\n", exitErr.Output)

	r = b.Start(ctx, Step{Name: "watch", Command: "sleep", Args: []string{"60"}})
	require.True(t, r.OK, "start: %v", r.Value)
	id := r.Value.(string)
	require.True(t, b.Cancel(ctx, id, 10*time.Second).OK)
	svc := core.MustServiceFor[*process.Service](c, "process")
	assert.False(t, svc.IsRunning(id))
}
