package core

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
)

// Core is the application container: it holds the registered services,
// the named actions and tasks, the IPC handlers, the lifecycle context and
// the sandboxed filesystem. Build one with New; all methods are safe for
// concurrent use. A zero Core is usable too (its parts are created on first
// use), but only New applies options.
type Core struct {
	once sync.Once

	options *Options
	fs      *Fs
	process *Process

	services    *Registry[*Service]
	serviceLock bool // WithServiceLock asked for: applied when New returns

	actions *Registry[*Action]
	tasks   *Registry[*Task]

	ipcMu      sync.Mutex                      // serialises RegisterAction(s)
	ipcActions atomic.Pointer[[]actionHandler] // read lock-free by ACTION
	queryMu    sync.Mutex                      // serialises RegisterQuery
	queries    atomic.Pointer[[]QueryHandler]  // read lock-free by Query

	lifeMu  sync.Mutex // guards ctx and cancel
	ctx     context.Context
	cancel  context.CancelFunc
	asyncMu sync.RWMutex // orders PerformAsync's Add against ServiceShutdown's Wait
	async   sync.WaitGroup
	down    atomic.Bool // ServiceShutdown has begun
}

// actionHandler is the signature of an ACTION broadcast handler.
type actionHandler = func(*Core, Message) Result

// CoreOption configures a Core during New. A Result that is not OK stops
// New from applying the remaining options (the failure is logged).
type CoreOption func(*Core) Result

// New returns a Core with opts applied in order. The first option whose
// Result is not OK is logged and stops the remaining options from being
// applied. When WithServiceLock was among the options, the service
// registry is locked once all options have run.
func New(opts ...CoreOption) *Core {
	c := &Core{}
	c.init()
	for i, opt := range opts {
		if opt == nil {
			continue
		}
		if r := opt(c); !r.OK {
			Error("core.New: option failed", "index", i, "err", r.Value)
			break
		}
	}
	if c.serviceLock {
		c.services.Lock()
	}
	return c
}

// init creates the parts of a Core exactly once.
func (c *Core) init() {
	c.once.Do(func() {
		if c.options == nil {
			c.options = &Options{}
		}
		c.fs = (&Fs{}).New("/")
		c.process = &Process{core: c}
		c.services = NewRegistry[*Service]()
		c.actions = NewRegistry[*Action]()
		c.tasks = NewRegistry[*Task]()
		c.ctx, c.cancel = context.WithCancel(context.Background())
	})
}

// WithOptions replaces the Core's options (see Core.Options) with opts.
func WithOptions(opts Options) CoreOption {
	return func(c *Core) Result {
		o := NewOptions(opts.items...)
		c.options = &o
		return Result{OK: true}
	}
}

// WithOption sets one key/value pair in the Core's options.
func WithOption(key string, value any) CoreOption {
	return func(c *Core) Result {
		c.options.Set(key, value)
		return Result{OK: true}
	}
}

// WithService calls factory with the Core. A failed Result is returned as
// is (and stops New). A nil Value means the factory registered itself. A
// non-nil Value is registered with RegisterService under the last element
// of its type's package path, lower-cased, with a "_test" suffix removed
// (a *process.Service from dappco.re/go/core/process registers as
// "process") — unless that same instance is already registered under that
// name.
func WithService(factory func(*Core) Result) CoreOption {
	return func(c *Core) Result {
		if factory == nil {
			return Result{Value: E("core.WithService", "factory is nil", nil), OK: false}
		}
		r := factory(c)
		if !r.OK {
			return errorResult(r, "core.WithService", "service factory failed")
		}
		if r.Value == nil {
			return Result{OK: true}
		}
		name := serviceNameOf(r.Value)
		if name == "" {
			return Result{Value: E("core.WithService", "cannot name a service of type "+reflect.TypeOf(r.Value).String()+": it has no package path", nil), OK: false}
		}
		if svc, ok := c.services.get(name); ok && sameInstance(svc.Instance, r.Value) {
			return Result{OK: true}
		}
		return c.RegisterService(name, r.Value)
	}
}

// WithName calls factory with the Core and registers its non-nil Value
// under name with RegisterService. A failed Result, or a nil Value, fails.
func WithName(name string, factory func(*Core) Result) CoreOption {
	return func(c *Core) Result {
		if factory == nil {
			return Result{Value: E("core.WithName", "factory for service "+quote(name)+" is nil", nil), OK: false}
		}
		r := factory(c)
		if !r.OK {
			return errorResult(r, "core.WithName", "service factory for "+quote(name)+" failed")
		}
		if r.Value == nil {
			return Result{Value: E("core.WithName", "service factory for "+quote(name)+" returned no instance", nil), OK: false}
		}
		return c.RegisterService(name, r.Value)
	}
}

// WithServiceLock locks the service registry once New has applied every
// option: services registered by the options are kept, later
// registrations fail.
func WithServiceLock() CoreOption {
	return func(c *Core) Result {
		c.serviceLock = true
		return Result{OK: true}
	}
}

// Options returns the options the Core was built with (never nil).
func (c *Core) Options() *Options {
	c.init()
	return c.options
}

// Core returns c itself, so *Core satisfies the same accessor as an
// embedded ServiceRuntime.
func (c *Core) Core() *Core { return c }

// Fs returns the Core's filesystem, unrestricted (root "/"). Use
// c.Fs().New(root) for a sandboxed one.
func (c *Core) Fs() *Fs {
	c.init()
	return c.fs
}

// Context returns the Core's lifecycle context: derived from the context
// given to ServiceStartup, and cancelled by ServiceShutdown.
func (c *Core) Context() context.Context {
	c.init()
	c.lifeMu.Lock()
	defer c.lifeMu.Unlock()
	return c.ctx
}

// serviceNameOf returns the lower-cased last element of v's type's package
// path (pointers dereferenced), without a "_test" suffix; "" when the type
// has no package path.
func serviceNameOf(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	pkg := t.PkgPath()
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	return strings.TrimSuffix(strings.ToLower(pkg), "_test")
}

// sameInstance reports whether a and b are the same comparable value.
func sameInstance(a, b any) bool {
	if a == nil || b == nil {
		return false
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && a == b
}

// errorResult returns r when its Value is an error and otherwise a failed
// Result carrying E(op, msg) (plus r's Value in the message, if any).
func errorResult(r Result, op, msg string) Result {
	if err, ok := r.Value.(error); ok && err != nil {
		return Result{Value: err, OK: false}
	}
	if r.Value != nil {
		msg += ": " + sprint(r.Value)
	}
	return Result{Value: E(op, msg, nil), OK: false}
}
