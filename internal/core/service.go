package core

import "context"

// Service is a registered component with optional lifecycle hooks. It is
// both the record RegisterService keeps for an instance and a DTO that can
// be registered directly with Core.Service.
type Service struct {
	Name     string
	Instance any // the registered instance (nil for a bare DTO)
	Options  Options
	OnStart  func() Result
	OnStop   func() Result
	OnReload func() Result
}

// Startable is implemented by services that need initialising when the
// Core starts (ServiceStartup).
type Startable interface {
	OnStartup(ctx context.Context) Result
}

// Stoppable is implemented by services that need cleaning up when the Core
// stops (ServiceShutdown).
type Stoppable interface {
	OnShutdown(ctx context.Context) Result
}

// ipcHandler is the optional broadcast hook RegisterService discovers.
type ipcHandler interface {
	HandleIPCEvents(*Core, Message) Result
}

// Service looks up or registers a service. With only a name it returns
// Result{Value: instance, OK: true} (or the *Service record when it has no
// instance), and Result{} — no error — when nothing is registered under
// name. With a Service it registers that DTO under name (its Name field is
// set to name); this fails for an empty name, a duplicate name or a
// locked registry. The DTO's hooks are used as given.
func (c *Core) Service(name string, service ...Service) Result {
	if len(service) == 0 {
		svc, ok := c.services.get(name)
		if !ok {
			return Result{}
		}
		if svc.Instance != nil {
			return Result{Value: svc.Instance, OK: true}
		}
		return Result{Value: svc, OK: true}
	}
	if r := c.checkServiceName("core.Service", name); !r.OK {
		return r
	}
	srv := &service[0]
	srv.Name = name
	return c.services.Set(name, srv)
}

// RegisterService registers instance under name and wires it in: a
// Startable's OnStartup becomes the record's OnStart (called with the
// Core's lifecycle context, Context), a Stoppable's OnShutdown its OnStop
// (always called with context.Background(), whatever context
// ServiceShutdown was given), and a HandleIPCEvents(*Core, Message) Result
// method is added to the ACTION handlers. It fails for an empty name, a
// duplicate name or a locked registry (WithServiceLock). A nil instance is
// accepted: it registers a record without hooks.
func (c *Core) RegisterService(name string, instance any) Result {
	if r := c.checkServiceName("core.RegisterService", name); !r.OK {
		return r
	}
	srv := &Service{Name: name, Instance: instance}
	if s, ok := instance.(Startable); ok {
		srv.OnStart = func() Result { return s.OnStartup(c.Context()) }
	}
	if s, ok := instance.(Stoppable); ok {
		srv.OnStop = func() Result { return s.OnShutdown(context.Background()) }
	}
	c.services.Set(name, srv)
	if h, ok := instance.(ipcHandler); ok {
		c.RegisterAction(h.HandleIPCEvents)
	}
	return Result{OK: true}
}

// checkServiceName refuses an empty name, a locked registry and a name
// that is already registered.
func (c *Core) checkServiceName(op, name string) Result {
	switch {
	case name == "":
		return Result{Value: E(op, "service name cannot be empty", nil), OK: false}
	case c.services.Locked():
		return Result{Value: E(op, "service "+quote(name)+" not permitted — registry locked", nil), OK: false}
	case c.services.Has(name):
		return Result{Value: E(op, "service "+name+" already registered", nil), OK: false}
	}
	return Result{OK: true}
}

// Services returns the registered service names in registration order;
// the first is the built-in "cli".
func (c *Core) Services() []string {
	if c.services == nil {
		return nil
	}
	return c.services.Names()
}

// ServiceFor returns the service registered under name as a T; ok is false
// when there is none or it is not a T.
func ServiceFor[T any](c *Core, name string) (T, bool) {
	var zero T
	r := c.Service(name)
	if !r.OK {
		return zero, false
	}
	v, ok := r.Value.(T)
	return v, ok
}

// MustServiceFor is ServiceFor that panics (with an *Err naming the
// service) when the service is missing or not a T. Use it only where a
// missing service is a programming error.
func MustServiceFor[T any](c *Core, name string) T {
	v, ok := ServiceFor[T](c, name)
	if !ok {
		panic(E("core.MustServiceFor", "service "+quote(name)+" not found or wrong type", nil))
	}
	return v
}
