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

	// stop, when set, is the instance's OnShutdown: ServiceShutdown calls it
	// with its own context so the service can honour the caller's deadline.
	stop func(context.Context) Result
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
// Result{Value: instance, OK: true} (or the *Service DTO when it has no
// instance), or a failed Result naming the missing service. With a
// Service it registers that DTO under name; this fails for an empty name,
// a duplicate name or a locked registry.
func (c *Core) Service(name string, service ...Service) Result {
	c.init()
	if len(service) == 0 {
		svc, ok := c.services.get(name)
		if !ok {
			return Result{Value: E("core.Service", "service not found: "+quote(name), nil), OK: false}
		}
		if svc.Instance != nil {
			return Result{Value: svc.Instance, OK: true}
		}
		return Result{Value: svc, OK: true}
	}
	srv := service[0]
	srv.Name = name
	srv.stop = nil
	return c.addService("core.Service", &srv)
}

// RegisterService registers instance under name and wires it in: a
// Startable's OnStartup runs in ServiceStartup, a Stoppable's OnShutdown in
// ServiceShutdown, and a HandleIPCEvents(*Core, Message) Result method is
// registered as an ACTION handler. It fails for an empty name, a nil
// instance, a duplicate name or a locked registry (WithServiceLock).
func (c *Core) RegisterService(name string, instance any) Result {
	c.init()
	const op = "core.RegisterService"
	if instance == nil {
		return Result{Value: E(op, "service "+quote(name)+" has a nil instance", nil), OK: false}
	}
	srv := &Service{Name: name, Instance: instance}
	if s, ok := instance.(Startable); ok {
		srv.OnStart = func() Result { return s.OnStartup(c.Context()) }
	}
	if s, ok := instance.(Stoppable); ok {
		srv.OnStop = func() Result { return s.OnShutdown(context.Background()) }
		srv.stop = s.OnShutdown
	}
	if r := c.addService(op, srv); !r.OK {
		return r
	}
	if h, ok := instance.(ipcHandler); ok {
		c.RegisterAction(h.HandleIPCEvents)
	}
	return Result{OK: true}
}

// addService stores srv under srv.Name unless the name is empty, taken, or
// the registry is locked.
func (c *Core) addService(op string, srv *Service) Result {
	switch {
	case srv.Name == "":
		return Result{Value: E(op, "service name cannot be empty", nil), OK: false}
	case c.services.Locked():
		return Result{Value: E(op, "service "+quote(srv.Name)+" not permitted: service registry is locked", nil), OK: false}
	case c.services.exists(srv.Name):
		return Result{Value: E(op, "service "+quote(srv.Name)+" is already registered", nil), OK: false}
	}
	return c.services.Set(srv.Name, srv)
}

// Services returns the registered service names in registration order.
func (c *Core) Services() []string {
	c.init()
	return c.services.Names()
}

// ServiceFor returns the service registered under name as a T; ok is false
// when there is none or it is not a T.
func ServiceFor[T any](c *Core, name string) (T, bool) {
	var zero T
	if c == nil {
		return zero, false
	}
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
		panic(E("core.MustServiceFor", "service "+quote(name)+" not found or of the wrong type", nil))
	}
	return v
}
