package core

import (
	"context"
	"strings"
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
	c.Action("work", func(ctx context.Context, o Options) Result {
		if ctx.Err() != nil {
			return Result{Value: ctx.Err()}
		}
		c.Progress(o.String("_task"), 0.5, "halfway", "work")
		return Result{Value: "result:" + o.String("in"), OK: true}
	})
	opts := NewOptions(Option{Key: "in", Value: "x"})
	r := c.PerformAsync("work", opts)
	id, ok := r.Value.(string)
	if !r.OK || !ok || !idPattern.MatchString(id) {
		t.Fatalf("PerformAsync = %+v", r)
	}
	if opts.Has("_task") {
		t.Fatal("the caller's options must not be modified")
	}
	started := (<-events).(ActionTaskStarted)
	if started.TaskIdentifier != id || started.Action != "work" || started.Options.String("_task") != id {
		t.Fatalf("started = %+v", started)
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
	for range 2 {
		ev := <-completed
		if ev.Result.OK {
			t.Fatalf("%s completed OK", ev.Action)
		}
		if _, ok := ev.Result.Value.(error); !ok {
			t.Fatalf("%s completed without an error", ev.Action)
		}
	}
}

func TestPerformAsync_RefusedAfterShutdown(t *testing.T) {
	c := New()
	c.Action("work", okHandler)
	c.ServiceShutdown(context.Background())
	r := c.PerformAsync("work", Options{})
	if r.OK || !strings.Contains(r.Value.(error).Error(), "shutting down") {
		t.Fatalf("PerformAsync after shutdown = %+v", r)
	}
	c.ServiceStartup(context.Background(), nil)
	if r := c.PerformAsync("work", Options{}); !r.OK {
		t.Fatalf("PerformAsync after restart = %+v", r)
	}
	c.ServiceShutdown(context.Background())
}

func TestPerformAsync_TaskSeesLifecycleContextCancelled(t *testing.T) {
	c := New()
	c.ServiceStartup(context.Background(), nil)
	running := make(chan struct{})
	c.Action("wait", func(ctx context.Context, _ Options) Result {
		close(running)
		<-ctx.Done()
		return Result{Value: ctx.Err()}
	})
	c.PerformAsync("wait", Options{})
	<-running
	if r := c.ServiceShutdown(context.Background()); !r.OK {
		t.Fatalf("ServiceShutdown = %+v (the task must see cancellation and end)", r)
	}
}
