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

func TestServiceStartup_NonErrorFailureIsNamed(t *testing.T) {
	c := core.New()
	c.Service("bad", core.Service{OnStart: func() core.Result { return core.Result{} }})
	r := c.ServiceStartup(context.Background(), nil)
	err, ok := r.Value.(error)
	if r.OK || !ok || core.Operation(err) != "core.ServiceStartup" {
		t.Fatalf("ServiceStartup = %+v", r)
	}
}

func TestServiceStartup_PanickingHookIsRecovered(t *testing.T) {
	c := core.New()
	c.Service("bad", core.Service{OnStart: func() core.Result { panic("kaboom") }})
	if r := c.ServiceStartup(context.Background(), nil); r.OK {
		t.Fatal("a panicking OnStart must fail startup")
	}
}

func TestServiceShutdown_StopsAllEvenAfterFailureAndReturnsFirstError(t *testing.T) {
	c, rs, log := newRecorders("a", "b", "c")
	first, second := errors.New("first"), errors.New("second")
	rs[0].stopErr = first
	rs[2].stopErr = second
	c.ServiceStartup(context.Background(), nil)
	r := c.ServiceShutdown(context.Background())
	if r.OK || !errors.Is(r.Value.(error), first) {
		t.Fatalf("ServiceShutdown = %+v, want first error", r)
	}
	want := []string{"start:a", "start:b", "start:c", "broadcast:startup", "broadcast:shutdown", "stop:a", "stop:b", "stop:c"}
	if got := log(); !slices.Equal(got, want) {
		t.Fatalf("log = %v, want %v", got, want)
	}
}

func TestServiceShutdown_CancelsContextBeforeBroadcast(t *testing.T) {
	c := core.New()
	c.ServiceStartup(context.Background(), nil)
	lifecycle := c.Context()
	if lifecycle.Err() != nil {
		t.Fatal("context cancelled before shutdown")
	}
	cancelledAtBroadcast := make(chan bool, 1)
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if _, ok := msg.(core.ActionServiceShutdown); ok {
			cancelledAtBroadcast <- lifecycle.Err() != nil
		}
		return core.Result{OK: true}
	})
	if r := c.ServiceShutdown(context.Background()); !r.OK {
		t.Fatalf("ServiceShutdown = %+v", r)
	}
	if !<-cancelledAtBroadcast {
		t.Fatal("Context() not cancelled when ActionServiceShutdown was broadcast")
	}
}

func TestServiceShutdown_PassesItsContextToOnShutdown(t *testing.T) {
	c, rs, _ := newRecorders("a")
	rs[0].stopCtx = make(chan context.Context, 1)
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	c.ServiceShutdown(ctx)
	if got := <-rs[0].stopCtx; got.Value(key{}) != "v" {
		t.Fatal("OnShutdown did not receive the ServiceShutdown context")
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

func TestServiceShutdown_GivesUpWaitingAtDeadlineButStillStopsServices(t *testing.T) {
	c, _, log := newRecorders("a")
	c.ServiceStartup(context.Background(), nil)
	release := make(chan struct{})
	defer close(release)
	c.Action("stuck", func(context.Context, core.Options) core.Result { <-release; return core.Result{OK: true} })
	c.PerformAsync("stuck", core.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r := c.ServiceShutdown(ctx)
	if r.OK || !errors.Is(r.Value.(error), context.DeadlineExceeded) {
		t.Fatalf("ServiceShutdown = %+v, want deadline error", r)
	}
	if !slices.Contains(log(), "stop:a") {
		t.Fatal("services must still be stopped after the drain timed out")
	}
}
