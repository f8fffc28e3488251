package core_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"dappco.re/go/core"
)

// recorder is a service that logs its lifecycle calls into a shared log.
type recorder struct {
	name      string
	mu        *sync.Mutex
	log       *[]string
	startErr  error
	stopErr   error
	stopCtx   chan context.Context
	startsCtx chan context.Context
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*r.log = append(*r.log, s)
}

func (r *recorder) OnStartup(ctx context.Context) core.Result {
	r.add("start:" + r.name)
	if r.startsCtx != nil {
		r.startsCtx <- ctx
	}
	if r.startErr != nil {
		return core.Result{Value: r.startErr}
	}
	return core.Result{OK: true}
}

func (r *recorder) OnShutdown(ctx context.Context) core.Result {
	r.add("stop:" + r.name)
	if r.stopCtx != nil {
		r.stopCtx <- ctx
	}
	if r.stopErr != nil {
		return core.Result{Value: r.stopErr}
	}
	return core.Result{OK: true}
}

func newRecorders(names ...string) (*core.Core, []*recorder, func() []string) {
	var (
		mu  sync.Mutex
		log []string
	)
	c := core.New()
	var rs []*recorder
	for _, n := range names {
		r := &recorder{name: n, mu: &mu, log: &log}
		rs = append(rs, r)
		c.RegisterService(n, r)
	}
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		switch msg.(type) {
		case core.ActionServiceStartup:
			rs[0].add("broadcast:startup")
		case core.ActionServiceShutdown:
			rs[0].add("broadcast:shutdown")
		}
		return core.Result{OK: true}
	})
	return c, rs, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(log)
	}
}

func TestServiceStartup_RunsInRegistrationOrderThenBroadcasts(t *testing.T) {
	c, _, log := newRecorders("a", "b", "c")
	if r := c.ServiceStartup(context.Background(), nil); !r.OK {
		t.Fatalf("ServiceStartup = %+v", r)
	}
	want := []string{"start:a", "start:b", "start:c", "broadcast:startup"}
	if got := log(); !slices.Equal(got, want) {
		t.Fatalf("log = %v, want %v", got, want)
	}
}

func TestServiceStartup_StopsAtFirstFailure(t *testing.T) {
	c, rs, log := newRecorders("a", "b", "c")
	boom := errors.New("boom")
	rs[1].startErr = boom
	r := c.ServiceStartup(context.Background(), nil)
	if r.OK || !errors.Is(r.Value.(error), boom) {
		t.Fatalf("ServiceStartup = %+v, want the service's error", r)
	}
	if got := log(); !slices.Equal(got, []string{"start:a", "start:b"}) {
		t.Fatalf("log = %v", got)
	}
}

func TestServiceStartup_FailureResultReturnedUnchanged(t *testing.T) {
	c := core.New()
	c.Service("bad", core.Service{OnStart: func() core.Result { return core.Result{Value: "not an error"} }})
	if r := c.ServiceStartup(context.Background(), nil); r != (core.Result{Value: "not an error"}) {
		t.Fatalf("ServiceStartup = %+v, want the hook's Result unchanged", r)
	}
}

func TestServiceStartup_PanicInOnStartupPropagates(t *testing.T) {
	c, rs, log := newRecorders("a", "b")
	c.Service("boom", core.Service{OnStart: func() core.Result { panic("kaboom") }})
	c.RegisterService("after", &recorder{name: "after", mu: rs[0].mu, log: rs[0].log}) // never reached
	defer func() {
		if p := recover(); p != "kaboom" {
			t.Fatalf("recovered %v, want the hook's panic to reach the caller", p)
		}
		if got := log(); !slices.Equal(got, []string{"start:a", "start:b"}) {
			t.Fatalf("log = %v", got)
		}
	}()
	c.ServiceStartup(context.Background(), nil)
	t.Fatal("ServiceStartup returned: a panicking OnStart must not be recovered")
}

func TestServiceStartup_ChecksContextBeforeEachHook(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, _, log := newRecorders("a")
	c.Service("canceller", core.Service{OnStart: func() core.Result { cancel(); return core.Result{OK: true} }})
	laterStarted := false
	c.Service("later", core.Service{OnStart: func() core.Result { laterStarted = true; return core.Result{OK: true} }})
	r := c.ServiceStartup(ctx, nil)
	if r.OK || r.Value != context.Canceled {
		t.Fatalf("ServiceStartup = %+v, want Result{Value: context.Canceled} as is", r)
	}
	if laterStarted || !slices.Equal(log(), []string{"start:a"}) {
		t.Fatalf("log = %v, later started %v: no hook may run once ctx is done, nor the broadcast", log(), laterStarted)
	}

	done, stop := context.WithCancel(context.Background())
	stop()
	c2, _, log2 := newRecorders("a")
	if r := c2.ServiceStartup(done, nil); r.OK || r.Value != context.Canceled || len(log2()) != 0 {
		t.Fatalf("ServiceStartup(done ctx) = %+v, log %v", r, log2())
	}
}

func TestServiceStartup_NilContextPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("ServiceStartup(nil) must panic, as context.WithCancel(nil) does")
		}
	}()
	var ctx context.Context // nil
	core.New().ServiceStartup(ctx, nil)
}

func TestServiceStartup_OnStartupGetsLifecycleContext(t *testing.T) {
	c, rs, _ := newRecorders("a")
	rs[0].startsCtx = make(chan context.Context, 1)
	c.ServiceStartup(context.Background(), nil)
	if got := <-rs[0].startsCtx; got != c.Context() {
		t.Fatal("OnStartup must receive the Core's lifecycle context")
	}
}

func TestServiceShutdown_StopsAllEvenAfterFailureAndReturnsFirstError(t *testing.T) {
	c, rs, log := newRecorders("a", "b", "c")
	first, second := errors.New("first"), errors.New("second")
	rs[0].stopErr = first
	rs[2].stopErr = second
	c.ServiceStartup(context.Background(), nil)
	r := c.ServiceShutdown(context.Background())
	if r.OK || r.Value != first {
		t.Fatalf("ServiceShutdown = %+v, want first error as is", r)
	}
	want := []string{"start:a", "start:b", "start:c", "broadcast:startup", "broadcast:shutdown", "stop:a", "stop:b", "stop:c"}
	if got := log(); !slices.Equal(got, want) {
		t.Fatalf("log = %v, want %v", got, want)
	}
}

func TestServiceShutdown_NonErrorFailureIsDescribed(t *testing.T) {
	c := core.New()
	c.Service("bad", core.Service{OnStop: func() core.Result { return core.Result{Value: 42} }})
	r := c.ServiceShutdown(context.Background())
	err, ok := r.Value.(error)
	if r.OK || !ok || err.Error() != "core.ServiceShutdown: service OnStop failed: 42" {
		t.Fatalf("ServiceShutdown = %+v", r)
	}
}

func TestServiceShutdown_PanicInOnStopPropagates(t *testing.T) {
	c := core.New()
	c.Service("bad", core.Service{OnStop: func() core.Result { panic("stop-boom") }})
	defer func() {
		if p := recover(); p != "stop-boom" {
			t.Fatalf("recovered %v, want the hook's panic", p)
		}
	}()
	c.ServiceShutdown(context.Background())
	t.Fatal("a panicking OnStop must not be recovered")
}

func TestServiceShutdown_Order(t *testing.T) {
	c, _, log := newRecorders("a")
	c.ServiceStartup(context.Background(), nil)
	lifecycle := c.Context()
	c.Action("noop", func(context.Context, core.Options) core.Result { return core.Result{OK: true} })
	type atBroadcast struct {
		cancelled bool
		async     core.Result
	}
	seen := make(chan atBroadcast, 1)
	c.RegisterAction(func(c *core.Core, msg core.Message) core.Result {
		if _, ok := msg.(core.ActionServiceShutdown); ok {
			seen <- atBroadcast{cancelled: lifecycle.Err() != nil, async: c.PerformAsync("noop", core.Options{})}
		}
		return core.Result{OK: true}
	})
	if r := c.ServiceShutdown(context.Background()); !r.OK {
		t.Fatalf("ServiceShutdown = %+v", r)
	}
	got := <-seen
	if !got.cancelled {
		t.Fatal("Context() not cancelled when ActionServiceShutdown was broadcast")
	}
	if got.async != (core.Result{}) {
		t.Fatalf("PerformAsync during the shutdown broadcast = %+v, want Result{} (shutdown flag set first)", got.async)
	}
	want := []string{"start:a", "broadcast:startup", "broadcast:shutdown", "stop:a"}
	if g := log(); !slices.Equal(g, want) {
		t.Fatalf("log = %v, want %v", g, want)
	}
}

func TestServiceShutdown_OnShutdownGetsBackgroundContext(t *testing.T) {
	c, rs, _ := newRecorders("a")
	rs[0].stopCtx = make(chan context.Context, 1)
	type key struct{}
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), time.Hour)
	defer cancel()
	c.ServiceShutdown(ctx)
	got := <-rs[0].stopCtx
	if got != context.Background() {
		t.Fatalf("OnShutdown got %v, want context.Background() (the real framework never passes the shutdown context)", got)
	}
	if _, has := got.Deadline(); has || got.Value(key{}) != nil {
		t.Fatal("OnShutdown must see neither the caller's deadline nor its values")
	}
}

func TestServiceShutdown_ChecksContextBeforeEachStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, _, log := newRecorders("a")
	c.Service("canceller", core.Service{OnStop: func() core.Result { cancel(); return core.Result{OK: true} }})
	var bStopped bool
	c.Service("b", core.Service{OnStop: func() core.Result { bStopped = true; return core.Result{OK: true} }})
	r := c.ServiceShutdown(ctx)
	if r.OK || r.Value != context.Canceled {
		t.Fatalf("ServiceShutdown = %+v, want Result{Value: context.Canceled} as is", r)
	}
	if bStopped || !slices.Equal(log(), []string{"broadcast:shutdown", "stop:a"}) {
		t.Fatalf("log = %v, later stopped %v: no OnStop may run once ctx is done", log(), bStopped)
	}
}

func TestServiceStartup_ContextDerivesFromStartupContext(t *testing.T) {
	c, rs, _ := newRecorders("a")
	rs[0].startsCtx = make(chan context.Context, 1)
	ctx, cancel := context.WithCancel(context.Background())
	c.ServiceStartup(ctx, nil)
	startCtx := <-rs[0].startsCtx
	cancel()
	<-c.Context().Done()
	<-startCtx.Done()
}

func TestServiceShutdown_WaitsForBackgroundTasks(t *testing.T) {
	c := core.New()
	c.ServiceStartup(context.Background(), nil)
	release := make(chan struct{})
	running := make(chan struct{})
	taskDone := false
	c.Action("slow", func(ctx context.Context, _ core.Options) core.Result {
		close(running)
		<-release
		taskDone = true
		return core.Result{OK: true}
	})
	if r := c.PerformAsync("slow", core.Options{}); !r.OK {
		t.Fatalf("PerformAsync = %+v", r)
	}
	<-running
	broadcast := make(chan struct{})
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if _, ok := msg.(core.ActionServiceShutdown); ok {
			close(broadcast)
		}
		return core.Result{OK: true}
	})
	shut := make(chan core.Result, 1)
	go func() { shut <- c.ServiceShutdown(context.Background()) }()
	<-broadcast // shutdown is now draining; the task is still held
	select {
	case <-shut:
		t.Fatal("ServiceShutdown returned while a background task was running")
	default:
	}
	close(release)
	if r := <-shut; !r.OK {
		t.Fatalf("ServiceShutdown = %+v", r)
	}
	if !taskDone {
		t.Fatal("shutdown returned before the task finished")
	}
}

func TestServiceShutdown_DrainDeadlineReturnsWithoutStoppingServices(t *testing.T) {
	c, _, log := newRecorders("a")
	c.ServiceStartup(context.Background(), nil)
	release := make(chan struct{})
	defer close(release)
	c.Action("stuck", func(context.Context, core.Options) core.Result { <-release; return core.Result{OK: true} })
	c.PerformAsync("stuck", core.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r := c.ServiceShutdown(ctx)
	if r.OK || r.Value != context.DeadlineExceeded {
		t.Fatalf("ServiceShutdown = %+v, want Result{Value: context.DeadlineExceeded} as is", r)
	}
	if slices.Contains(log(), "stop:a") {
		t.Fatal("no service may be stopped when the drain ran out of time")
	}
}
