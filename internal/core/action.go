package core

import "context"

// ActionHandler is the function behind a named action.
type ActionHandler func(context.Context, Options) Result

// Action is a named, invokable unit of work. The set of registered actions
// is the Core's capability map: c.Action("process.run").Exists() tells
// whether this Core can run processes.
//
// Only Core.Action makes a runnable Action: one built as a struct literal
// is not enabled, and its Run fails even with a Handler.
type Action struct {
	Name        string
	Handler     ActionHandler
	Description string
	Schema      Options // documents the expected option keys (not enforced)

	enabled bool  // set by Core.Action when registering
	core    *Core // the registering Core, for the entitlement check
}

// entitlement is the answer of an entitlement check.
type entitlement struct {
	allowed bool
	reason  string
}

// permitAll is the default entitlement checker: everything is permitted.
func permitAll(string, int, context.Context) entitlement {
	return entitlement{allowed: true}
}

// entitled asks the Core's entitlement checker whether action may run
// (quantity 1, the lifecycle context); a denial is logged.
func (c *Core) entitled(action string) entitlement {
	e := c.entitlementChecker(action, 1, c.Context())
	if !e.allowed {
		Warn("entitlement.denied", "action", action, "quantity", 1, "reason", e.reason)
	}
	return e
}

// Action registers or looks up the action called name. With a handler
// argument it registers (or replaces) the action — even when that handler
// is nil, which registers an action that does not Exist — and returns it.
// Without one it returns the registered action, or — never nil — an Action
// carrying only the name, whose Exists is false and whose Run fails.
func (c *Core) Action(name string, handler ...ActionHandler) *Action {
	if len(handler) > 0 {
		a := &Action{Name: name, Handler: handler[0], enabled: true, core: c}
		c.ipc.actions.Set(name, a)
		return a
	}
	if a, ok := c.ipc.actions.get(name); ok {
		return a
	}
	return &Action{Name: name}
}

// Actions returns the registered action names in registration order.
func (c *Core) Actions() []string {
	return c.ipc.actions.Names()
}

// Exists reports whether the action has a handler.
func (a *Action) Exists() bool {
	return a != nil && a.Handler != nil
}

// Run invokes the action's handler with ctx and opts. It returns
// Result{Value: error, OK: false} for an action without a handler ("action
// not registered"), for one not registered through Core.Action ("action
// disabled"), and for one its Core's entitlement check refuses ("not
// entitled"; the default check permits everything). A panic in the handler
// is recovered into Result{Value: error, OK: false} naming the action and
// the panic. The happy path allocates nothing beyond what the handler
// does.
func (a *Action) Run(ctx context.Context, opts Options) (result Result) {
	if a == nil || a.Handler == nil {
		return Result{Value: E("action.Run", "action not registered: "+a.safeName(), nil), OK: false}
	}
	if !a.enabled {
		return Result{Value: E("action.Run", "action disabled: "+a.Name, nil), OK: false}
	}
	if a.core != nil {
		if e := a.core.entitled(a.Name); !e.allowed {
			return Result{Value: E("action.Run", "not entitled: "+a.Name+" — "+e.reason, nil), OK: false}
		}
	}
	defer func() {
		if p := recover(); p != nil {
			result = Result{Value: E("action.Run", sprint("panic in action ", a.Name, ": ", p), nil), OK: false}
		}
	}()
	return a.Handler(ctx, opts)
}

// safeName returns the action's name, or "<nil>" for a nil action.
func (a *Action) safeName() string {
	if a == nil {
		return "<nil>"
	}
	return a.Name
}
