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

// Core returns the Core the service belongs to (nil for a nil runtime).
func (r *ServiceRuntime[T]) Core() *Core {
	if r == nil {
		return nil
	}
	return r.core
}

// Options returns the options the service was created with (the zero T
// for a nil runtime).
func (r *ServiceRuntime[T]) Options() T {
	if r == nil {
		var zero T
		return zero
	}
	return r.opts
}

// ServiceStartup starts the Core: it derives a fresh lifecycle context
// (Context) from ctx, runs every service's OnStart (a Startable's
// OnStartup) in registration order, stopping at the first failure or when
// ctx is done, and then broadcasts ActionServiceStartup{}. The options
// argument is accepted for API compatibility and unused.
func (c *Core) ServiceStartup(ctx context.Context, options any) Result {
	c.init()
	if ctx == nil {
		ctx = context.Background()
	}
	c.lifeMu.Lock()
	c.ctx, c.cancel = context.WithCancel(ctx)
	c.lifeMu.Unlock()
	c.asyncMu.Lock()
	c.down.Store(false)
	c.asyncMu.Unlock()

	for _, name := range c.services.Names() {
		svc, ok := c.services.get(name)
		if !ok || svc.OnStart == nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return Result{Value: E("core.ServiceStartup", "startup interrupted before service "+quote(name), err), OK: false}
		}
		if r := runHook(svc.OnStart); !r.OK {
			return errorResult(r, "core.ServiceStartup", "service "+quote(name)+" failed to start")
		}
	}
	c.ACTION(ActionServiceStartup{})
	return Result{OK: true}
}

// ServiceShutdown stops the Core: it cancels Context, refuses new
// PerformAsync tasks, broadcasts ActionServiceShutdown{}, waits for
// background tasks (until ctx is done), then runs every service's OnStop (a
// Stoppable's OnShutdown, given ctx) in registration order — all of them,
// even after a failure. It returns the first error met, or OK.
func (c *Core) ServiceShutdown(ctx context.Context) Result {
	c.init()
	if ctx == nil {
		ctx = context.Background()
	}
	c.asyncMu.Lock()
	c.down.Store(true)
	c.asyncMu.Unlock()
	c.lifeMu.Lock()
	cancel := c.cancel
	c.lifeMu.Unlock()
	cancel()

	c.ACTION(ActionServiceShutdown{})

	var firstErr error
	done := make(chan struct{})
	go func() {
		c.async.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		firstErr = E("core.ServiceShutdown", "background tasks still running", ctx.Err())
	}

	for _, name := range c.services.Names() {
		svc, ok := c.services.get(name)
		if !ok {
			continue
		}
		var r Result
		switch {
		case svc.stop != nil:
			r = runStop(svc.stop, ctx)
		case svc.OnStop != nil:
			r = runHook(svc.OnStop)
		default:
			continue
		}
		if !r.OK && firstErr == nil {
			firstErr = errorResult(r, "core.ServiceShutdown", "service "+quote(name)+" failed to stop").Value.(error)
		}
	}
	if firstErr != nil {
		return Result{Value: firstErr, OK: false}
	}
	return Result{OK: true}
}

// runHook calls fn, turning a panic into a failed Result.
func runHook(fn func() Result) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Value: E("core.lifecycle", "hook panicked: "+sprint(p), nil), OK: false}
		}
	}()
	return fn()
}

// runStop calls an OnShutdown hook with ctx, turning a panic into a failed
// Result.
func runStop(fn func(context.Context) Result, ctx context.Context) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Value: E("core.lifecycle", "OnShutdown panicked: "+sprint(p), nil), OK: false}
		}
	}()
	return fn(ctx)
}
