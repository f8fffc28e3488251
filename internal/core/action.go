package core

import "context"

// ActionHandler is the function behind a named action.
type ActionHandler func(context.Context, Options) Result

// Action is a named, invokable unit of work. The set of registered actions
// is the Core's capability map: c.Action("process.run").Exists() tells
// whether this Core can run processes.
type Action struct {
	Name        string
	Handler     ActionHandler
	Description string
	Schema      Options // documents the expected option keys (not enforced)
}

// Action registers or looks up the action called name. With a handler it
// registers (or replaces) the action and returns it. Without one it
// returns the registered action, or — never nil — an Action carrying only
// the name, whose Exists is false and whose Run fails. A nil handler
// argument is treated as a lookup.
func (c *Core) Action(name string, handler ...ActionHandler) *Action {
	c.init()
	if len(handler) > 0 && handler[0] != nil {
		a := &Action{Name: name, Handler: handler[0]}
		if r := c.actions.Set(name, a); !r.OK {
			Warn("core.Action: registration refused", "action", name, "err", r.Value)
		}
		return a
	}
	if a, ok := c.actions.get(name); ok {
		return a
	}
	return &Action{Name: name}
}

// Actions returns the registered action names in registration order.
func (c *Core) Actions() []string {
	c.init()
	return c.actions.Names()
}

// Exists reports whether the action has a handler (is registered).
func (a *Action) Exists() bool {
	return a != nil && a.Handler != nil
}

// Run invokes the action's handler with ctx and opts. An action without a
// handler returns Result{Value: error, OK: false} naming it; a panic in
// the handler is recovered into Result{Value: error, OK: false} whose
// message names the action and the panic. The happy path allocates
// nothing beyond what the handler does.
func (a *Action) Run(ctx context.Context, opts Options) (result Result) {
	if a == nil || a.Handler == nil {
		return Result{Value: E("action.Run", "action not registered: "+a.safeName(), nil), OK: false}
	}
	defer func() {
		if p := recover(); p != nil {
			result = Result{Value: E("action.Run", "panic in action "+quote(a.Name)+": "+sprint(p), nil), OK: false}
		}
	}()
	return a.Handler(ctx, opts)
}

// safeName returns the action's name, or "<nil>" for a nil action.
func (a *Action) safeName() string {
	if a == nil {
		return "<nil>"
	}
	return quote(a.Name)
}
