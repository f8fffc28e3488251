package core

import (
	"context"
	"slices"
	"testing"
)

func TestTask_RunsStepsInOrderAndPipesPrevious(t *testing.T) {
	c := New()
	var seen []string
	c.Action("first", func(_ context.Context, o Options) Result {
		seen = append(seen, "first:"+o.String("x"))
		return Result{Value: "from-first", OK: true}
	})
	c.Action("second", func(_ context.Context, o Options) Result {
		seen = append(seen, "second:"+o.String("_input")+":"+o.String("y"))
		return Result{Value: "done", OK: true}
	})
	with := NewOptions(Option{Key: "y", Value: "static"})
	c.Task("pipeline", Task{Description: "d", Steps: []Step{
		{Action: "first"},
		{Action: "second", With: with, Input: "previous"},
	}})
	r := c.Task("pipeline").Run(context.Background(), c, NewOptions(Option{Key: "x", Value: "rt"}))
	if !r.OK || r.Value != "done" {
		t.Fatalf("Run = %+v", r)
	}
	if !slices.Equal(seen, []string{"first:rt", "second:from-first:static"}) {
		t.Fatalf("seen = %v", seen)
	}
	if with.Has("_input") {
		t.Fatal("piping must not modify the step's static options")
	}
	if !slices.Equal(c.Tasks(), []string{"pipeline"}) || c.Task("pipeline").Name != "pipeline" {
		t.Fatalf("Tasks() = %v", c.Tasks())
	}
}

func TestTask_StopsAtFailingStep(t *testing.T) {
	c := New()
	ran := false
	c.Action("fail", func(context.Context, Options) Result { return Result{Value: E("x", "failed", nil)} })
	c.Action("after", func(context.Context, Options) Result { ran = true; return Result{OK: true} })
	c.Task("t", Task{Steps: []Step{{Action: "fail"}, {Action: "after"}}})
	if r := c.Task("t").Run(context.Background(), c, Options{}); r.OK || ran {
		t.Fatalf("Run = %+v, later step ran = %v", r, ran)
	}
}

func TestTask_Failures(t *testing.T) {
	c := New()
	ctx := context.Background()
	if r := c.Task("unknown").Run(ctx, c, Options{}); r.OK {
		t.Fatal("an unregistered task must fail")
	}
	var nilTask *Task
	if r := nilTask.Run(ctx, c, Options{}); r.OK {
		t.Fatal("a nil task must fail")
	}
	c.Task("missing", Task{Steps: []Step{{Action: "no.such.action"}}})
	r := c.Task("missing").Run(ctx, c, Options{})
	if r.OK || r.Value.(error).Error() != "task.Run: action not found: no.such.action" {
		t.Fatalf("Run = %+v, want error naming the action", r)
	}
	if r := c.Task("unknown").Run(ctx, c, Options{}); r.Value.(error).Error() != "task.Run: task has no steps: unknown" {
		t.Fatalf("Run of an empty task = %+v", r)
	}
	if !panics(func() { c.Task("missing").Run(ctx, nil, Options{}) }) {
		t.Fatal("running a task with a nil Core must panic, as in the real framework")
	}
}

func TestTask_AsyncStepIsUntrackedByShutdown(t *testing.T) {
	c := New()
	c.ServiceStartup(context.Background(), nil)
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	done := make(chan struct{}, 2)
	c.Action("bg", func(context.Context, Options) Result {
		started <- struct{}{}
		<-release
		done <- struct{}{}
		return Result{OK: true}
	})
	c.Action("fg", func(context.Context, Options) Result { return Result{Value: "fg", OK: true} })
	c.Task("t", Task{Steps: []Step{{Action: "bg", Async: true}, {Action: "fg"}}})
	if r := c.Task("t").Run(context.Background(), c, Options{}); !r.OK || r.Value != "fg" {
		t.Fatalf("Run = %+v", r)
	}
	<-started
	if r := c.ServiceShutdown(context.Background()); !r.OK {
		t.Fatalf("ServiceShutdown = %+v", r)
	}
	select {
	case <-done:
		t.Fatal("the async step finished although it was held")
	default: // ServiceShutdown did not wait for it
	}
	// After shutdown an async step still starts.
	if r := c.Task("t").Run(context.Background(), c, Options{}); !r.OK {
		t.Fatalf("Run after shutdown = %+v", r)
	}
	<-started
	close(release)
	<-done
	<-done
}

func TestTask_OnlyAsyncStepsReturnsEmptyResult(t *testing.T) {
	c := New()
	ran := make(chan struct{})
	c.Action("bg", func(context.Context, Options) Result { close(ran); return Result{Value: "x", OK: true} })
	c.Task("t", Task{Steps: []Step{{Action: "bg", Async: true}}})
	if r := c.Task("t").Run(context.Background(), c, Options{}); r != (Result{}) {
		t.Fatalf("Run = %+v, want Result{} (no synchronous step ran)", r)
	}
	<-ran
}

func TestTask_RegistrationSharesSteps(t *testing.T) {
	c := New()
	steps := []Step{{Action: "a"}}
	def := Task{Description: "d", Steps: steps}
	got := c.Task("t", def)
	if got.Name != "t" || def.Name != "" {
		t.Fatal("Task must name its own copy, not the caller's value")
	}
	steps[0].Action = "b"
	if c.Task("t").Steps[0].Action != "b" {
		t.Fatal("the registered task must share the caller's Steps slice")
	}
}
