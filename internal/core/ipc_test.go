package core

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

func TestACTION_ReachesEveryHandlerEvenWhenOnePanics(t *testing.T) {
	c := New()
	var order []int
	c.RegisterAction(func(*Core, Message) Result { order = append(order, 1); return Result{OK: true} })
	c.RegisterAction(func(*Core, Message) Result { panic("handler two") })
	c.RegisterActions(
		func(*Core, Message) Result { order = append(order, 3); return Result{OK: true} },
		nil,
		func(_ *Core, m Message) Result {
			if m != "msg" {
				t.Errorf("message = %v", m)
			}
			order = append(order, 4)
			return Result{OK: true}
		},
	)
	if r := c.ACTION("msg"); !r.OK {
		t.Fatalf("ACTION = %+v", r)
	}
	if !slices.Equal(order, []int{1, 3, 4}) {
		t.Fatalf("handlers ran %v, want [1 3 4]", order)
	}
}

func TestACTION_NoHandlersIsOK(t *testing.T) {
	if !New().ACTION(struct{}{}).OK {
		t.Fatal("ACTION with no handlers must be OK")
	}
}

func TestCore_ZeroValueIsNotUsable(t *testing.T) {
	var zero Core
	for name, call := range map[string]func(){
		"ACTION":   func() { zero.ACTION(1) },
		"Action":   func() { zero.Action("x") },
		"Service":  func() { zero.Service("x") },
		"Shutdown": func() { zero.ServiceShutdown(context.Background()) },
	} {
		if !panics(call) {
			t.Errorf("%s on a zero Core did not panic (only New makes a usable Core)", name)
		}
	}
}

// panics reports whether fn panicked.
func panics(fn func()) (did bool) {
	defer func() {
		if recover() != nil {
			did = true
		}
	}()
	fn()
	return false
}

func TestACTION_ConcurrentRegisterAndBroadcast(t *testing.T) {
	c := New()
	var hits atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				c.RegisterAction(func(*Core, Message) Result { hits.Add(1); return Result{OK: true} })
			}
		})
		wg.Go(func() {
			for range 100 {
				c.ACTION(1)
			}
		})
	}
	wg.Wait()
	hits.Store(0)
	c.ACTION(1)
	if hits.Load() != 400 {
		t.Fatalf("one broadcast reached %d handlers, want 400", hits.Load())
	}
}

func TestACTION_AllocatesNothing(t *testing.T) {
	c := New()
	for range 3 {
		c.RegisterAction(func(*Core, Message) Result { return Result{OK: true} })
	}
	msg := Message(&struct{ line string }{"x"})
	if n := testing.AllocsPerRun(1000, func() { c.ACTION(msg) }); n != 0 {
		t.Fatalf("ACTION allocates %v per call, want 0", n)
	}
}

func TestQuery_FirstOKWins_QueryAllCollects(t *testing.T) {
	c := New()
	if r := c.QUERY("q"); r.OK {
		t.Fatal("QUERY without handlers must not be OK")
	}
	if r := c.QUERYALL("q"); !r.OK || r.Value.([]any) != nil {
		t.Fatalf("QUERYALL without handlers = %+v", r)
	}
	c.RegisterQuery(func(*Core, Query) Result { return Result{} })
	c.RegisterQuery(func(_ *Core, q Query) Result { return Result{Value: "first:" + q.(string), OK: true} })
	c.RegisterQuery(func(*Core, Query) Result { return Result{Value: "second", OK: true} })
	c.RegisterQuery(func(*Core, Query) Result { return Result{OK: true} }) // nil Value: not collected
	if r := c.QUERY("q"); !r.OK || r.Value != "first:q" {
		t.Fatalf("QUERY = %+v", r)
	}
	if r := c.Query("q"); r.Value != "first:q" {
		t.Fatalf("Query = %+v", r)
	}
	r := c.QUERYALL("q")
	if !r.OK || !slices.Equal(r.Value.([]any), []any{"first:q", "second"}) {
		t.Fatalf("QUERYALL = %+v", r)
	}
	if r2 := c.QueryAll("q"); !slices.Equal(r2.Value.([]any), r.Value.([]any)) {
		t.Fatal("QueryAll differs from QUERYALL")
	}
}

type lineEvent struct {
	ID, Line string
}

func BenchmarkACTION(b *testing.B) {
	c := New()
	var n atomic.Int64
	c.RegisterAction(func(_ *Core, m Message) Result {
		if _, ok := m.(*lineEvent); ok {
			n.Add(1)
		}
		return Result{OK: true}
	})
	c.RegisterAction(func(*Core, Message) Result { return Result{OK: true} })
	ev := &lineEvent{ID: "id-1-abcdef", Line: "some output"}
	b.ReportAllocs()
	for b.Loop() {
		c.ACTION(ev)
	}
}

func TestQuery_PanickingHandlerIsNotRecovered(t *testing.T) {
	c := New()
	c.RegisterQuery(func(*Core, Query) Result { return Result{} })
	c.RegisterQuery(func(*Core, Query) Result { panic("bad handler") })
	for name, call := range map[string]func(){
		"QUERY":    func() { c.QUERY("q") },
		"QUERYALL": func() { c.QUERYALL("q") },
		"Query":    func() { c.Query("q") },
		"QueryAll": func() { c.QueryAll("q") },
	} {
		if !panics(call) {
			t.Errorf("%s recovered a handler's panic; the real framework lets it propagate", name)
		}
	}

	// A handler that answers first shadows a later panicking one for
	// QUERY, but QUERYALL asks them all.
	c2 := New()
	c2.RegisterQuery(func(*Core, Query) Result { return Result{Value: 1, OK: true} })
	c2.RegisterQuery(nil) // registered as is: asking it panics
	if r := c2.QUERY("q"); !r.OK || r.Value != 1 {
		t.Fatalf("QUERY = %+v", r)
	}
	if !panics(func() { c2.QUERYALL("q") }) {
		t.Fatal("a nil query handler must be kept (and panic when asked)")
	}
}

func TestACTION_NilHandlerIsKeptAndItsPanicLogged(t *testing.T) {
	c := New()
	reached := false
	c.RegisterAction(nil)
	c.RegisterActions(nil, func(*Core, Message) Result { reached = true; return Result{OK: true} })
	if r := c.ACTION("m"); !r.OK || !reached {
		t.Fatalf("ACTION = %+v, reached %v", r, reached)
	}
	if n := len(*c.ipc.handlers.Load()); n != 3 {
		t.Fatalf("%d handlers registered, want 3 (nil ones kept)", n)
	}
}
