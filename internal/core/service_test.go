package core_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"dappco.re/go/core"
	"dappco.re/go/core/internal/process"
)

func TestWithService_NamesServiceAfterPackage(t *testing.T) {
	c := core.New(core.WithService(process.Register))
	if got := c.Services(); !slices.Equal(got, []string{"process"}) {
		t.Fatalf("Services() = %v, want [process]", got)
	}
	svc, ok := core.ServiceFor[*process.Service](c, "process")
	if !ok || svc.Core() != c {
		t.Fatalf("ServiceFor = %v, %v", svc, ok)
	}
	if core.MustServiceFor[*process.Service](c, "process") != svc {
		t.Fatal("MustServiceFor returned another instance")
	}
}

func TestWithService_FactoryGetsCore(t *testing.T) {
	var got *core.Core
	c := core.New(core.WithService(func(c *core.Core) core.Result {
		got = c
		return core.Result{OK: true}
	}))
	if got != c {
		t.Fatal("factory did not receive the Core under construction")
	}
	if len(c.Services()) != 0 {
		t.Fatal("a nil Value must not register anything")
	}
}

func TestWithService_SelfRegisteredInstanceIsNotRegisteredTwice(t *testing.T) {
	c := core.New(core.WithService(func(c *core.Core) core.Result {
		r := process.Register(c)
		if reg := c.RegisterService("process", r.Value); !reg.OK {
			return reg
		}
		return r
	}), core.WithOption("after", true))
	if got := c.Services(); !slices.Equal(got, []string{"process"}) {
		t.Fatalf("Services() = %v", got)
	}
	if !c.Options().Bool("after") {
		t.Fatal("New stopped early: WithService must succeed for a self-registered instance")
	}
}

func TestWithService_FailedFactoryStopsNew(t *testing.T) {
	c := core.New(
		core.WithService(func(*core.Core) core.Result { return core.Result{Value: errors.New("nope")} }),
		core.WithOption("after", true),
	)
	if c.Options().Has("after") {
		t.Fatal("options after a failed one must not be applied")
	}
}

type svcA struct{ log *[]string }

func (s svcA) OnStartup(context.Context) core.Result {
	*s.log = append(*s.log, "start:a")
	return core.Result{OK: true}
}

func TestWithName_RegistersUnderGivenName(t *testing.T) {
	var log []string
	c := core.New(core.WithName("alpha", func(*core.Core) core.Result { return core.Result{Value: svcA{&log}, OK: true} }))
	if !slices.Equal(c.Services(), []string{"alpha"}) {
		t.Fatalf("Services() = %v", c.Services())
	}
	r := core.New(core.WithName("beta", func(*core.Core) core.Result { return core.Result{OK: true} }))
	if len(r.Services()) != 0 {
		t.Fatal("WithName with a nil Value must not register")
	}
}

func TestRegisterService_DuplicateRefused(t *testing.T) {
	c := core.New()
	if r := c.RegisterService("x", &struct{ a int }{}); !r.OK {
		t.Fatalf("first registration failed: %v", r.Value)
	}
	r := c.RegisterService("x", &struct{ b int }{})
	if r.OK || !strings.Contains(r.Value.(error).Error(), "already registered") {
		t.Fatalf("duplicate registration = %+v", r)
	}
	if r := c.RegisterService("", 1); r.OK {
		t.Fatal("empty name accepted")
	}
	if r := c.RegisterService("nil", nil); r.OK {
		t.Fatal("nil instance accepted")
	}
}

func TestWithServiceLock_RefusesLaterRegistration(t *testing.T) {
	c := core.New(core.WithService(process.Register), core.WithServiceLock())
	if !slices.Equal(c.Services(), []string{"process"}) {
		t.Fatal("services registered by options must be kept")
	}
	r := c.RegisterService("late", 1)
	if r.OK || !strings.Contains(r.Value.(error).Error(), "locked") {
		t.Fatalf("late RegisterService = %+v", r)
	}
	if r := c.Service("late2", core.Service{}); r.OK {
		t.Fatal("late Service registration accepted")
	}
	open := core.New()
	if r := open.RegisterService("late", 1); !r.OK {
		t.Fatal("without WithServiceLock registration must work after New")
	}
}

func TestService_GetAndDTO(t *testing.T) {
	c := core.New()
	started := false
	if r := c.Service("dto", core.Service{OnStart: func() core.Result { started = true; return core.Result{OK: true} }}); !r.OK {
		t.Fatalf("Service register = %+v", r)
	}
	r := c.Service("dto")
	dto, ok := r.Value.(*core.Service)
	if !r.OK || !ok || dto.Name != "dto" {
		t.Fatalf("Service(dto) = %+v", r)
	}
	if r := c.Service("missing"); r.OK || r.Value == nil {
		t.Fatalf("Service(missing) = %+v", r)
	}
	if _, ok := core.ServiceFor[*process.Service](c, "dto"); ok {
		t.Fatal("ServiceFor with the wrong type must report false")
	}
	if r := c.ServiceStartup(context.Background(), nil); !r.OK || !started {
		t.Fatalf("DTO OnStart not run: %+v", r)
	}
}

func TestMustServiceFor_PanicsWhenMissing(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustServiceFor did not panic")
		}
	}()
	core.MustServiceFor[*process.Service](core.New(), "process")
}

type ipcService struct{ got chan core.Message }

func (s *ipcService) HandleIPCEvents(_ *core.Core, msg core.Message) core.Result {
	s.got <- msg
	return core.Result{OK: true}
}

func TestRegisterService_DiscoversHandleIPCEvents(t *testing.T) {
	s := &ipcService{got: make(chan core.Message, 1)}
	c := core.New(core.WithName("ipc", func(*core.Core) core.Result { return core.Result{Value: s, OK: true} }))
	c.ACTION("hello")
	if msg := <-s.got; msg != "hello" {
		t.Fatalf("got %v", msg)
	}
}

func TestNewServiceRuntime(t *testing.T) {
	type opts struct{ N int }
	c := core.New()
	rt := core.NewServiceRuntime(c, opts{N: 3})
	if rt.Core() != c || rt.Options().N != 3 {
		t.Fatal("ServiceRuntime accessors mismatch")
	}
	var nilRT *core.ServiceRuntime[opts]
	if nilRT.Core() != nil || nilRT.Options().N != 0 {
		t.Fatal("nil ServiceRuntime must not panic")
	}
	if c.Core() != c {
		t.Fatal("Core.Core must return itself")
	}
}

func TestWithOptions_AndWithOption(t *testing.T) {
	c := core.New(
		core.WithOptions(core.NewOptions(core.Option{Key: "name", Value: "app"})),
		core.WithOption("port", 8080),
	)
	if c.Options().String("name") != "app" || c.Options().Int("port") != 8080 {
		t.Fatalf("options = %v", c.Options().Items())
	}
	if core.New().Options() == nil {
		t.Fatal("Options must never be nil")
	}
}
