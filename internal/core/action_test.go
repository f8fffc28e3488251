package core

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func okHandler(context.Context, Options) Result { return Result{OK: true} }

func TestAction_UnknownName_NonNilNotExistsRunFails(t *testing.T) {
	c := New()
	a := c.Action("nope")
	if a == nil {
		t.Fatal("Action must never return nil")
	}
	if a.Exists() || a.Name != "nope" {
		t.Fatalf("unknown action = %+v", a)
	}
	r := a.Run(context.Background(), Options{})
	err, ok := r.Value.(error)
	if r.OK || !ok || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("Run = %+v, want an error naming the action", r)
	}
	var nilAction *Action
	if nilAction.Exists() || nilAction.Run(context.Background(), Options{}).OK {
		t.Fatal("a nil *Action must not exist nor run")
	}
}

func TestAction_RegisterRunAndList(t *testing.T) {
	c := New()
	c.Action("echo", func(_ context.Context, o Options) Result {
		return Result{Value: o.String("msg"), OK: true}
	})
	c.Action("other", okHandler)
	if !c.Action("echo").Exists() {
		t.Fatal("registered action does not exist")
	}
	r := c.Action("echo").Run(context.Background(), NewOptions(Option{Key: "msg", Value: "hi"}))
	if !r.OK || r.Value != "hi" {
		t.Fatalf("Run = %+v", r)
	}
	if got := c.Actions(); !slices.Equal(got, []string{"echo", "other"}) {
		t.Fatalf("Actions() = %v", got)
	}
	c.Action("echo", func(context.Context, Options) Result { return Result{Value: "v2", OK: true} })
	if r := c.Action("echo").Run(context.Background(), Options{}); r.Value != "v2" {
		t.Fatal("re-registering must replace the handler")
	}
	if got := c.Actions(); !slices.Equal(got, []string{"echo", "other"}) {
		t.Fatalf("Actions() after replace = %v", got)
	}
}

func TestAction_PanickingHandlerRecovered(t *testing.T) {
	c := New()
	c.Action("explode", func(context.Context, Options) Result { panic("kaboom") })
	r := c.Action("explode").Run(context.Background(), Options{})
	err, ok := r.Value.(error)
	if r.OK || !ok {
		t.Fatalf("Run = %+v, want OK:false with error", r)
	}
	if msg := err.Error(); !strings.Contains(msg, "explode") || !strings.Contains(msg, "kaboom") {
		t.Fatalf("error %q must name the action and the panic", msg)
	}
}

func TestAction_NilHandlerIsALookup(t *testing.T) {
	c := New()
	if c.Action("x", nil).Exists() || len(c.Actions()) != 0 {
		t.Fatal("a nil handler must not register")
	}
}

func TestAction_RunAllocatesNothing(t *testing.T) {
	c := New()
	c.Action("noop", okHandler)
	ctx := context.Background()
	opts := Options{}
	allocs := testing.AllocsPerRun(1000, func() {
		c.Action("noop").Run(ctx, opts)
	})
	if allocs != 0 {
		t.Fatalf("Action(name).Run allocates %v per call, want 0", allocs)
	}
}

func BenchmarkAction_Run(b *testing.B) {
	c := New()
	c.Action("noop", okHandler)
	for i := range 50 { // a realistic registry, not a single entry
		c.Action("filler."+string(rune('a'+i%26))+string(rune('a'+i/26)), okHandler)
	}
	ctx := context.Background()
	opts := Options{}
	b.ReportAllocs()
	for b.Loop() {
		if !c.Action("noop").Run(ctx, opts).OK {
			b.Fatal("not OK")
		}
	}
}

func BenchmarkAction_Run_Parallel(b *testing.B) {
	c := New()
	c.Action("noop", okHandler)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		opts := Options{}
		for pb.Next() {
			c.Action("noop").Run(ctx, opts)
		}
	})
}
