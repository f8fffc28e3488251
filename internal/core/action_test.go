package core

import (
	"context"
	"slices"
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
	if r.OK || !ok || err.Error() != "action.Run: action not registered: nope" {
		t.Fatalf("Run = %+v, want an error naming the action", r)
	}
	if c.Action("nope") == a || len(c.Actions()) != 0 {
		t.Fatal("a lookup must not register anything")
	}
	var nilAction *Action
	if nilAction.Exists() {
		t.Fatal("a nil *Action must not exist")
	}
	if r := nilAction.Run(context.Background(), Options{}); r.OK || r.Value.(error).Error() != "action.Run: action not registered: <nil>" {
		t.Fatalf("nil Action Run = %+v", r)
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
	if msg := err.Error(); msg != "action.Run: panic in action explode: kaboom" {
		t.Fatalf("error %q must name the action and the panic", msg)
	}
}

func TestAction_NilHandlerArgumentRegisters(t *testing.T) {
	c := New()
	a := c.Action("x", nil)
	if a == nil || a.Exists() {
		t.Fatalf("Action(x, nil) = %+v, want a registered action that does not exist", a)
	}
	if !slices.Equal(c.Actions(), []string{"x"}) {
		t.Fatalf("Actions() = %v: a nil handler argument must still register", c.Actions())
	}
	if c.Action("x") != a {
		t.Fatal("lookup must return the registered (handler-less) action")
	}
	r := a.Run(context.Background(), Options{})
	if r.OK || r.Value.(error).Error() != "action.Run: action not registered: x" {
		t.Fatalf("Run = %+v", r)
	}
}

func TestAction_LiteralIsNotEnabled(t *testing.T) {
	ran := false
	a := &Action{Name: "lit", Handler: func(context.Context, Options) Result { ran = true; return Result{OK: true} }}
	if !a.Exists() {
		t.Fatal("a literal with a handler exists")
	}
	r := a.Run(context.Background(), Options{})
	if r.OK || ran || r.Value.(error).Error() != "action.Run: action disabled: lit" {
		t.Fatalf("Run = %+v (ran %v), want the action-disabled error", r, ran)
	}
}

func TestAction_EntitlementCheckGatesRun(t *testing.T) {
	c := New()
	ran := 0
	c.Action("gated", func(context.Context, Options) Result { ran++; return Result{OK: true} })
	if r := c.Action("gated").Run(context.Background(), Options{}); !r.OK || ran != 1 {
		t.Fatalf("the default entitlement check must permit: %+v", r)
	}
	type key struct{}
	c.ServiceStartup(context.WithValue(context.Background(), key{}, "v"), nil)
	var asked []string
	c.entitlementChecker = func(action string, qty int, ctx context.Context) entitlement {
		asked = append(asked, action+":"+sprint(qty)+":"+sprint(ctx.Value(key{})))
		return entitlement{reason: "quota"}
	}
	r := c.Action("gated").Run(context.Background(), Options{})
	if r.OK || ran != 1 || r.Value.(error).Error() != "action.Run: not entitled: gated — quota" {
		t.Fatalf("Run = %+v (ran %d), want the not-entitled error", r, ran)
	}
	if !slices.Equal(asked, []string{"gated:1:v"}) {
		t.Fatalf("checker asked %v, want the action, quantity 1 and the lifecycle context", asked)
	}
	// An unregistered action fails before the check is asked.
	c.Action("missing").Run(context.Background(), Options{})
	if len(asked) != 1 {
		t.Fatal("the entitlement check ran for an unregistered action")
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
