package core

import "context"

// ServiceRuntime is embedded by services to give them their Core and their
// typed options.
type ServiceRuntime[T any] struct {
	core *Core
	opts T
}

// NewServiceRuntime returns a ServiceRuntime bound to c with options opts.
func NewServiceRuntime[T any](c *Core, opts T) *ServiceRuntime[T] {
	return &ServiceRuntime[T]{core: c, opts: opts}
}

// Core returns the Core the service belongs to. Calling it on a nil
// runtime panics.
func (r *ServiceRuntime[T]) Core() *Core { return r.core }

// Options returns the options the service was created with. Calling it on
// a nil runtime panics.
func (r *ServiceRuntime[T]) Options() T { return r.opts }

// ServiceStartup starts the Core. It clears the shutdown state, derives a
// fresh lifecycle context (Context) from ctx (a nil ctx panics), and then
// calls the OnStart of every service that has one, in registration order:
// before each, a done ctx ends startup with Result{Value: ctx.Err()}; the
// first hook that fails ends it with that hook's Result, unchanged. A
// panicking hook is not recovered: the panic propagates to the caller.
// When every hook succeeded it broadcasts ActionServiceStartup{}. The
// options argument is unused.
func (c *Core) ServiceStartup(ctx context.Context, options any) Result {
	c.asyncMu.Lock()
	c.down.Store(false)
	c.asyncMu.Unlock()
	lctx, cancel := context.WithCancel(ctx)
	c.life.Store(&lifecycle{ctx: lctx, cancel: cancel})

	for _, svc := range c.hooked(func(s *Service) bool { return s.OnStart != nil }) {
		if err := ctx.Err(); err != nil {
			return Result{Value: err, OK: false}
		}
		if r := svc.OnStart(); !r.OK {
			return r
		}
	}
	c.ACTION(ActionServiceStartup{})
	return Result{OK: true}
}

// ServiceShutdown stops the Core, in this order: it marks the Core as
// shutting down (PerformAsync then refuses new tasks), cancels Context,
// broadcasts ActionServiceShutdown{}, and waits for the background tasks
// started by PerformAsync — if ctx ends first it returns
// Result{Value: ctx.Err()} at once, without stopping any service. Then it
// calls the OnStop of every service that has one, in registration order,
// returning Result{Value: ctx.Err()} if ctx has ended before a hook.
// OnStop hooks discovered by RegisterService call OnShutdown with
// context.Background(), not with ctx. A failing hook does not stop the
// others; the first failure's error is returned (a non-error failure is
// described by an *Err). A panicking hook is not recovered.
func (c *Core) ServiceShutdown(ctx context.Context) Result {
	c.asyncMu.Lock()
	c.down.Store(true)
	c.asyncMu.Unlock()
	c.life.Load().cancel()
	c.ACTION(ActionServiceShutdown{})

	drained := make(chan struct{})
	go func() {
		c.async.Wait()
		close(drained)
	}()
	select {
	case <-drained:
	case <-ctx.Done():
		return Result{Value: ctx.Err(), OK: false}
	}

	var firstErr error
	for _, svc := range c.hooked(func(s *Service) bool { return s.OnStop != nil }) {
		if err := ctx.Err(); err != nil {
			return Result{Value: err, OK: false}
		}
		r := svc.OnStop()
		if r.OK || firstErr != nil {
			continue
		}
		if err, ok := r.Value.(error); ok {
			firstErr = err
		} else {
			firstErr = E("core.ServiceShutdown", sprint("service OnStop failed: ", r.Value), nil)
		}
	}
	if firstErr != nil {
		return Result{Value: firstErr, OK: false}
	}
	return Result{OK: true}
}

// hooked returns, in registration order, the enabled services for which
// has reports true — a snapshot taken before any hook runs.
func (c *Core) hooked(has func(*Service) bool) []*Service {
	var out []*Service
	c.services.Each(func(_ string, s *Service) {
		if has(s) {
			out = append(out, s)
		}
	})
	return out
}
