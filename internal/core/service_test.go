package core_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"dappco.re/go/core"
	"dappco.re/go/core/internal/process"
)

func TestNew_PreRegistersCliService(t *testing.T) {
	c := core.New()
	if got := c.Services(); !slices.Equal(got, []string{"cli"}) {
		t.Fatalf("Services() = %v, want [cli]", got)
	}
	r := c.Service("cli")
	if !r.OK || r.Value == nil {
		t.Fatalf(`Service("cli") = %+v`, r)
	}
	if _, isDTO := r.Value.(*core.Service); isDTO {
		t.Fatal(`"cli" must be a registered instance, not a bare DTO`)
	}
	if r := c.RegisterService("cli", 1); r.OK {
		t.Fatal(`"cli" is taken: registering it again must fail`)
	}
	// It has no lifecycle hooks and no IPC handler: a Core with only "cli"
	// starts and stops cleanly and broadcasts only the lifecycle messages.
	var msgs []core.Message
	c.RegisterAction(func(_ *core.Core, m core.Message) core.Result { msgs = append(msgs, m); return core.Result{OK: true} })
	if r := c.ServiceStartup(context.Background(), nil); !r.OK {
		t.Fatalf("ServiceStartup = %+v", r)
	}
	if r := c.ServiceShutdown(context.Background()); !r.OK {
		t.Fatalf("ServiceShutdown = %+v", r)
	}
	if !slices.Equal(msgs, []core.Message{core.ActionServiceStartup{}, core.ActionServiceShutdown{}}) {
		t.Fatalf("broadcasts = %v", msgs)
	}
	locked := core.New(core.WithServiceLock())
	if !slices.Equal(locked.Services(), []string{"cli"}) {
		t.Fatal(`"cli" must be registered before WithServiceLock applies`)
	}
}

func TestWithService_NamesServiceAfterPackage(t *testing.T) {
	c := core.New(core.WithService(process.Register))
	if got := c.Services(); !slices.Equal(got, []string{"cli", "process"}) {
		t.Fatalf("Services() = %v, want [cli process]", got)
	}
	svc, ok := core.ServiceFor[*process.Service](c, "process")
	if !ok || svc.Core() != c {
		t.Fatalf("ServiceFor = %v, %v", svc, ok)
	}
	if core.MustServiceFor[*process.Service](c, "process") != svc {
		t.Fatal("MustServiceFor returned another instance")
	}
}

type localService struct{}

func TestWithService_TestPackageNameIsKept(t *testing.T) {
	c := core.New(core.WithService(func(*core.Core) core.Result { return core.Result{Value: &localService{}, OK: true} }))
	if got := c.Services(); !slices.Equal(got, []string{"cli", "core_test"}) {
		t.Fatalf("Services() = %v, want [cli core_test] (no _test stripping)", got)
	}
}

func TestWithService_UnnameableTypesFail(t *testing.T) {
	c := core.New()
	inner := &localService{}
	for name, v := range map[string]any{
		"pointer to pointer": &inner,
		"unnamed type":       []int{1},
	} {
		opt := core.WithService(func(*core.Core) core.Result { return core.Result{Value: v, OK: true} })
		if r := opt(c); r.OK {
			t.Errorf("%s: WithService = %+v, want a failure", name, r)
		}
	}
	if !slices.Equal(c.Services(), []string{"cli"}) {
		t.Fatalf("Services() = %v", c.Services())
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
	if !slices.Equal(c.Services(), []string{"cli"}) {
		t.Fatal("a nil Value must not register anything")
	}
}

func TestWithService_SelfRegisteredInstanceReturnedFailsAsDuplicate(t *testing.T) {
	opt := core.WithService(func(c *core.Core) core.Result {
		r := process.Register(c)
		if reg := c.RegisterService("process", r.Value); !reg.OK {
			return reg
		}
		return r
	})
	c := core.New(opt, core.WithOption("after", true))
	if got := c.Services(); !slices.Equal(got, []string{"cli", "process"}) {
		t.Fatalf("Services() = %v", got)
	}
	if c.Options() != nil {
		t.Fatal("New must stop at the failed WithService: returning an instance registered under the same name is a duplicate")
	}
}

func TestWithService_FailedFactoryResultUnchangedAndStopsNew(t *testing.T) {
	c := core.New()
	failed := core.Result{Value: "not an error"}
	if r := core.WithService(func(*core.Core) core.Result { return failed })(c); r != failed {
		t.Fatalf("WithService = %+v, want the factory's Result unchanged", r)
	}
	if r := core.WithName("n", func(*core.Core) core.Result { return failed })(c); r != failed {
		t.Fatalf("WithName = %+v, want the factory's Result unchanged", r)
	}
	c = core.New(
		core.WithService(func(*core.Core) core.Result { return core.Result{Value: errors.New("nope")} }),
		core.WithOption("after", true),
	)
	if c.Options() != nil {
		t.Fatal("options after a failed one must not be applied")
	}
}

func TestWithService_NilFactoryPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a nil factory must panic when called, as in the real framework")
		}
	}()
	core.WithService(nil)(core.New())
}

type svcA struct{ log *[]string }

func (s svcA) OnStartup(context.Context) core.Result {
	*s.log = append(*s.log, "start:a")
	return core.Result{OK: true}
}

func TestWithName_RegistersUnderGivenName(t *testing.T) {
	var log []string
	c := core.New(core.WithName("alpha", func(*core.Core) core.Result { return core.Result{Value: svcA{&log}, OK: true} }))
	if !slices.Equal(c.Services(), []string{"cli", "alpha"}) {
		t.Fatalf("Services() = %v", c.Services())
	}
	r := core.WithName("beta", func(*core.Core) core.Result { return core.Result{OK: true} })(c)
	if err, ok := r.Value.(error); r.OK || !ok || err.Error() != `core.WithName: failed to create service "beta"` {
		t.Fatalf("WithName with a nil Value = %+v", r)
	}
}

func TestRegisterService_Refusals(t *testing.T) {
	c := core.New()
	if r := c.RegisterService("x", &struct{ a int }{}); !r.OK {
		t.Fatalf("first registration failed: %v", r.Value)
	}
	r := c.RegisterService("x", &struct{ b int }{})
	if r.OK || r.Value.(error).Error() != "core.RegisterService: service x already registered" {
		t.Fatalf("duplicate registration = %+v", r)
	}
	if r := c.Service("x", core.Service{}); r.OK || r.Value.(error).Error() != "core.Service: service x already registered" {
		t.Fatalf("duplicate DTO registration = %+v", r)
	}
	if r := c.RegisterService("", 1); r.OK || r.Value.(error).Error() != "core.RegisterService: service name cannot be empty" {
		t.Fatalf("empty name = %+v", r)
	}
}

func TestRegisterService_NilInstanceAccepted(t *testing.T) {
	c := core.New()
	if r := c.RegisterService("nil", nil); !r.OK {
		t.Fatalf("RegisterService(nil instance) = %+v, want OK as in the real framework", r)
	}
	r := c.Service("nil")
	dto, ok := r.Value.(*core.Service)
	if !r.OK || !ok || dto.Name != "nil" || dto.OnStart != nil || dto.OnStop != nil {
		t.Fatalf("Service(nil) = %+v, want the hook-less record", r)
	}
}

func TestWithServiceLock_RefusesLaterRegistration(t *testing.T) {
	c := core.New(core.WithService(process.Register), core.WithServiceLock())
	if !slices.Equal(c.Services(), []string{"cli", "process"}) {
		t.Fatal("services registered by options must be kept")
	}
	r := c.RegisterService("late", 1)
	if r.OK || r.Value.(error).Error() != `core.RegisterService: service "late" not permitted — registry locked` {
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
	if r := c.Service("missing"); r != (core.Result{}) {
		t.Fatalf("Service(missing) = %+v, want Result{} (no error value)", r)
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
		err, ok := recover().(error)
		if !ok || err.Error() != `core.MustServiceFor: service "process" not found or wrong type` {
			t.Fatalf("MustServiceFor panicked with %v", err)
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
	for name, call := range map[string]func(){
		"Core":    func() { nilRT.Core() },
		"Options": func() { nilRT.Options() },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s on a nil ServiceRuntime must panic, as in the real framework", name)
				}
			}()
			call()
		}()
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
	if core.New().Options() != nil {
		t.Fatal("without WithOptions/WithOption, Options() is nil in the real framework")
	}
	if o := core.New(core.WithOption("k", 1)).Options(); o == nil || o.Int("k") != 1 {
		t.Fatal("WithOption must create the options when there are none")
	}
	shared := core.NewOptions(core.Option{Key: "a", Value: 1})
	c = core.New(core.WithOptions(shared))
	shared.Set("a", 2)
	if c.Options().Int("a") != 2 {
		t.Fatal("WithOptions keeps the given Options value, sharing its pairs")
	}
}
