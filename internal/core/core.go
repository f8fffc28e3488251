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
// the filesystem. Build one with New; a zero Core is not usable (its
// methods panic), as in the real framework.
type Core struct {
	options *Options // nil unless WithOptions or WithOption was given
	fs      *Fs

	services    *Registry[*Service]
	serviceLock bool // WithServiceLock asked for: applied when New returns

	ipc *ipcBus

	// entitlementChecker gates Action.Run; the default permits everything.
	entitlementChecker func(action string, quantity int, ctx context.Context) entitlement

	life atomic.Pointer[lifecycle] // the current lifecycle context

	asyncMu sync.RWMutex // orders PerformAsync's Add against ServiceShutdown's Wait
	async   sync.WaitGroup
	down    atomic.Bool // ServiceShutdown has begun (until the next ServiceStartup)
}

// lifecycle is a lifecycle context and the function that cancels it.
type lifecycle struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// ipcBus holds the broadcast and query handlers and the named action and
// task registries. Handler lists are copied on registration, so dispatch
// reads them without a lock.
type ipcBus struct {
	mu       sync.Mutex                      // serialises RegisterAction(s)
	handlers atomic.Pointer[[]actionHandler] // read lock-free by ACTION
	queryMu  sync.Mutex                      // serialises RegisterQuery
	queries  atomic.Pointer[[]QueryHandler]  // read lock-free by Query

	actions *Registry[*Action]
	tasks   *Registry[*Task]
}

// actionHandler is the signature of an ACTION broadcast handler.
type actionHandler = func(*Core, Message) Result

// CoreOption configures a Core during New. A Result that is not OK stops
// New from applying the remaining options (the failure is logged).
type CoreOption func(*Core) Result

// New returns a Core with opts applied in order. Before the options run,
// the built-in "cli" service is registered (so Services() starts with
// "cli"; it has no lifecycle hooks). The first option whose Result is not
// OK is logged and stops the remaining options from being applied. When
// WithServiceLock was among the options, the service registry is locked
// once all options have run.
func New(opts ...CoreOption) *Core {
	c := &Core{
		fs:                 (&Fs{}).New("/"),
		services:           NewRegistry[*Service](),
		ipc:                &ipcBus{actions: NewRegistry[*Action](), tasks: NewRegistry[*Task]()},
		entitlementChecker: permitAll,
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.life.Store(&lifecycle{ctx: ctx, cancel: cancel})

	registerCli(c)

	for _, opt := range opts {
		if r := opt(c); !r.OK {
			Error("core.New failed", "err", r.Value)
			break
		}
	}
	if c.serviceLock {
		c.services.Lock()
	}
	return c
}

// cliService stands in for the real framework's built-in CLI service: New
// registers one under "cli". It has no lifecycle hooks and no IPC handler.
type cliService struct {
	*ServiceRuntime[struct{}]
}

func registerCli(c *Core) Result {
	return c.RegisterService("cli", &cliService{ServiceRuntime: NewServiceRuntime(c, struct{}{})})
}

// WithOptions makes opts the Core's options (see Core.Options). The Core
// keeps opts itself, not a copy of its pairs.
func WithOptions(opts Options) CoreOption {
	return func(c *Core) Result {
		c.options = &opts
		return Result{OK: true}
	}
}

// WithOption sets one key/value pair in the Core's options, creating them
// when there are none yet.
func WithOption(key string, value any) CoreOption {
	return func(c *Core) Result {
		if c.options == nil {
			o := NewOptions()
			c.options = &o
		}
		c.options.Set(key, value)
		return Result{OK: true}
	}
}

// WithService calls factory with the Core. A failed Result is returned
// unchanged (and stops New). A nil Value means the factory registered
// itself. A non-nil Value is registered with RegisterService under the
// last element of its type's package path, lower-cased (one level of
// pointer is looked through): a *process.Service from
// dappco.re/go/core/process registers as "process", a type declared in a
// package "foo_test" as "foo_test". Registering fails when that name is
// already taken — also by the same instance — or when the type has no
// package path.
func WithService(factory func(*Core) Result) CoreOption {
	return func(c *Core) Result {
		r := factory(c)
		if !r.OK {
			return r
		}
		if r.Value == nil {
			return Result{OK: true}
		}
		name := serviceNameOf(r.Value)
		if name == "" {
			return Result{Value: E("core.WithService", "service name could not be discovered for type "+reflect.TypeOf(r.Value).String(), nil), OK: false}
		}
		return c.RegisterService(name, r.Value)
	}
}

// WithName calls factory with the Core and registers its non-nil Value
// under name with RegisterService. A failed Result is returned unchanged;
// a nil Value fails.
func WithName(name string, factory func(*Core) Result) CoreOption {
	return func(c *Core) Result {
		r := factory(c)
		if !r.OK {
			return r
		}
		if r.Value == nil {
			return Result{Value: E("core.WithName", "failed to create service "+quote(name), nil), OK: false}
		}
		return c.RegisterService(name, r.Value)
	}
}

// WithServiceLock locks the service registry once New has applied every
// option: services registered until then are kept, later registrations
// fail.
func WithServiceLock() CoreOption {
	return func(c *Core) Result {
		c.serviceLock = true
		return Result{OK: true}
	}
}

// Options returns the options the Core was built with: nil when New got
// neither WithOptions nor WithOption.
func (c *Core) Options() *Options { return c.options }

// Core returns c itself, so *Core satisfies the same accessor as an
// embedded ServiceRuntime.
func (c *Core) Core() *Core { return c }

// Fs returns the Core's filesystem, unrestricted (root "/") until someone
// re-roots it: Fs.New changes the Fs it is called on, so c.Fs().New(root)
// sandboxes the Core's own Fs.
func (c *Core) Fs() *Fs { return c.fs }

// Context returns the Core's lifecycle context: derived from the context
// given to the latest ServiceStartup (from context.Background() before
// that), and cancelled by ServiceShutdown.
func (c *Core) Context() context.Context { return c.life.Load().ctx }

// serviceNameOf returns the lower-cased last element of v's type's package
// path, looking through one level of pointer; "" when there is none.
func serviceNameOf(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	return strings.ToLower(pkg)
}
