package core

import "context"

// Process is the Core's process-execution primitive. It does not run
// anything itself: each method dispatches a named action (process.run,
// process.start, process.kill) that a process service registers. A Core
// without such a service cannot run processes — every call returns
// Result{OK: false} with an error ("permission by registration").
type Process struct {
	core *Core
}

// Process returns the Core's process primitive (never nil).
func (c *Core) Process() *Process {
	c.init()
	return c.process
}

// Run runs command with args through the "process.run" action (options
// "command" string and "args" []string) and returns its Result — for the
// go-process service, Value is the combined output.
func (p *Process) Run(ctx context.Context, command string, args ...string) Result {
	return p.run(ctx, NewOptions(
		Option{Key: "command", Value: command},
		Option{Key: "args", Value: args},
	))
}

// RunIn is Run in working directory dir (option "dir").
func (p *Process) RunIn(ctx context.Context, dir, command string, args ...string) Result {
	return p.run(ctx, NewOptions(
		Option{Key: "command", Value: command},
		Option{Key: "args", Value: args},
		Option{Key: "dir", Value: dir},
	))
}

// RunWithEnv is RunIn with extra environment entries ("KEY=value", option
// "env" []string).
func (p *Process) RunWithEnv(ctx context.Context, dir string, env []string, command string, args ...string) Result {
	return p.run(ctx, NewOptions(
		Option{Key: "command", Value: command},
		Option{Key: "args", Value: args},
		Option{Key: "dir", Value: dir},
		Option{Key: "env", Value: env},
	))
}

// Start starts a process in the background through the "process.start"
// action, passing opts unchanged.
func (p *Process) Start(ctx context.Context, opts Options) Result {
	return p.dispatch("process.start", ctx, opts)
}

// Kill stops a process through the "process.kill" action, passing opts
// unchanged (e.g. "id" or "pid").
func (p *Process) Kill(ctx context.Context, opts Options) Result {
	return p.dispatch("process.kill", ctx, opts)
}

// Exists reports whether process execution is available, i.e. whether a
// "process.run" action is registered.
func (p *Process) Exists() bool {
	if p == nil || p.core == nil {
		return false
	}
	return p.core.Action("process.run").Exists()
}

func (p *Process) run(ctx context.Context, opts Options) Result {
	return p.dispatch("process.run", ctx, opts)
}

// dispatch runs the named action, failing clearly when p has no Core.
func (p *Process) dispatch(action string, ctx context.Context, opts Options) Result {
	if p == nil || p.core == nil {
		return Result{Value: E("core.Process", "no Core: cannot dispatch "+quote(action), nil), OK: false}
	}
	a := p.core.Action(action)
	if !a.Exists() {
		return Result{Value: E("core.Process", "process capability not available: action "+quote(action)+" is not registered", nil), OK: false}
	}
	return a.Run(ctx, opts)
}
