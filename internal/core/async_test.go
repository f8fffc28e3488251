package core

import (
	"context"
	"slices"
	"testing"
)

func TestPerformAsync_BroadcastsStartedProgressCompleted(t *testing.T) {
	c := New()
	c.ServiceStartup(context.Background(), nil)
	events := make(chan Message, 8)
	c.RegisterAction(func(_ *Core, m Message) Result {
		switch m.(type) {
		case ActionTaskStarted, ActionTaskProgress, ActionTaskCompleted:
			events <- m
		}
		return Result{OK: true}
	})
	taskIDs := make(chan string, 1)
	c.RegisterAction(func(_ *Core, m Message) Result {
		if ev, ok := m.(ActionTaskStarted); ok {
			taskIDs <- ev.TaskIdentifier
		}
		return Result{OK: true}
	})
	c.Action("work", func(_ context.Context, o Options) Result {
		c.Progress(<-taskIDs, 0.5, "halfway", "work")
		return Result{Value: "result:" + o.String("in"), OK: true}
	})
	opts := NewOptions(Option{Key: "in", Value: "x"})
	r := c.PerformAsync("work", opts)
	id, ok := r.Value.(string)
	if !r.OK || !ok || !idPattern.MatchString(id) {
		t.Fatalf("PerformAsync = %+v", r)
	}
	started := (<-events).(ActionTaskStarted)
	if started.TaskIdentifier != id || started.Action != "work" {
		t.Fatalf("started = %+v", started)
	}
	if !slices.Equal(started.Options.Items(), opts.Items()) {
		t.Fatalf("started.Options = %v, want the caller's options unchanged", started.Options.Items())
	}
	progress := (<-events).(ActionTaskProgress)
	if progress.TaskIdentifier != id || progress.Progress != 0.5 || progress.Message != "halfway" || progress.Action != "work" {
		t.Fatalf("progress = %+v", progress)
	}
	completed := (<-events).(ActionTaskCompleted)
	if completed.TaskIdentifier != id || !completed.Result.OK || completed.Result.Value != "result:x" {
		t.Fatalf("completed = %+v", completed)
	}
	c.ServiceShutdown(context.Background())
}

func TestPerformAsync_PassesOptionsUnchangedAndBackgroundContext(t *testing.T) {
	c := New()
	type key struct{}
	c.ServiceStartup(context.WithValue(context.Background(), key{}, "lifecycle"), nil)
	type seen struct {
		opts  []Option
		ctx   context.Context
		value any
	}
	got := make(chan seen, 1)
	c.Action("inspect", func(ctx context.Context, o Options) Result {
		got <- seen{opts: o.Items(), ctx: ctx, value: ctx.Value(key{})}
		return Result{OK: true}
	})
	opts := NewOptions(Option{Key: "a", Value: 1})
	c.PerformAsync("inspect", opts)
	s := <-got
	if !slices.Equal(s.opts, []Option{{Key: "a", Value: 1}}) {
		t.Fatalf("handler options = %v, want exactly the caller's (no task ID key)", s.opts)
	}
	if s.ctx != context.Background() || s.value != nil {
		t.Fatalf("handler context = %v, want context.Background(), not the lifecycle context", s.ctx)
	}
	if opts.Len() != 1 {
		t.Fatal("the caller's options were modified")
	}
	c.ServiceShutdown(context.Background())
}

func TestPerformAsync_TaskIsNotCancelledByShutdown(t *testing.T) {
	c := New()
	c.ServiceStartup(context.Background(), nil)
	running := make(chan context.Context)
	release := make(chan struct{})
	c.Action("hold", func(ctx context.Context, _ Options) Result {
		running <- ctx
		<-release
		return Result{OK: true}
	})
	broadcast := make(chan struct{})
	c.RegisterAction(func(_ *Core, m Message) Result {
		if _, ok := m.(ActionServiceShutdown); ok {
			close(broadcast)
		}
		return Result{OK: true}
	})
	c.PerformAsync("hold", Options{})
	taskCtx := <-running
	shut := make(chan Result, 1)
	go func() { shut <- c.ServiceShutdown(context.Background()) }()
	<-broadcast // the lifecycle context is cancelled by now
	if c.Context().Err() == nil {
		t.Fatal("lifecycle context not cancelled at the shutdown broadcast")
	}
	if taskCtx.Err() != nil {
		t.Fatal("cancelling the lifecycle context must not reach a PerformAsync task")
	}
	close(release)
	if r := <-shut; !r.OK {
		t.Fatalf("ServiceShutdown = %+v", r)
	}
}

func TestPerformAsync_UnknownAndPanickingActionsCompleteWithError(t *testing.T) {
	c := New()
	completed := make(chan ActionTaskCompleted, 2)
	c.RegisterAction(func(_ *Core, m Message) Result {
		if ev, ok := m.(ActionTaskCompleted); ok {
			completed <- ev
		}
		return Result{OK: true}
	})
	c.Action("panics", func(context.Context, Options) Result { panic("bad") })
	c.PerformAsync("missing", Options{})
	c.PerformAsync("panics", Options{})
	want := map[string]string{
		"missing": "action.Run: action not registered: missing",
		"panics":  "action.Run: panic in action panics: bad",
	}
	for range 2 {
		ev := <-completed
		err, ok := ev.Result.Value.(error)
		if ev.Result.OK || !ok || err.Error() != want[ev.Action] {
			t.Fatalf("%s completed with %+v", ev.Action, ev.Result)
		}
	}
}

func TestPerformAsync_RefusedAfterShutdownWithEmptyResult(t *testing.T) {
	c := New()
	ran := make(chan struct{}, 2)
	c.Action("work", func(context.Context, Options) Result { ran <- struct{}{}; return Result{OK: true} })
	started := 0
	c.RegisterAction(func(_ *Core, m Message) Result {
		if _, ok := m.(ActionTaskStarted); ok {
			started++
		}
		return Result{OK: true}
	})
	c.ServiceShutdown(context.Background())
	if r := c.PerformAsync("work", Options{}); r != (Result{}) {
		t.Fatalf("PerformAsync after shutdown = %+v, want Result{}", r)
	}
	if started != 0 {
		t.Fatal("a refused task must not be announced")
	}
	c.ServiceStartup(context.Background(), nil)
	if r := c.PerformAsync("work", Options{}); !r.OK {
		t.Fatalf("PerformAsync after restart = %+v", r)
	}
	<-ran
	c.ServiceShutdown(context.Background())
}
