package core

import "context"

// Process is the Core's process-execution primitive. It does not run
// anything itself: each method runs a named action (process.run,
// process.start, process.kill) that a process service registers. A Core
// without such a service cannot run processes — every call returns the
// "action not registered" failure of Action.Run ("permission by
// registration").
type Process struct {
	core *Core
}

// Process returns a process primitive for c (a new value on each call).
func (c *Core) Process() *Process {
	return &Process{core: c}
}

// Run runs command with args through the "process.run" action (options
// "command" string and "args" []string) and returns its Result — for the
// go-process service, Value is the combined output.
func (p *Process) Run(ctx context.Context, command string, args ...string) Result {
	return p.core.Action("process.run").Run(ctx, NewOptions(
		Option{Key: "command", Value: command},
		Option{Key: "args", Value: args},
	))
}

// RunIn is Run in working directory dir (option "dir").
func (p *Process) RunIn(ctx context.Context, dir string, command string, args ...string) Result {
	return p.core.Action("process.run").Run(ctx, NewOptions(
		Option{Key: "command", Value: command},
		Option{Key: "args", Value: args},
		Option{Key: "dir", Value: dir},
	))
}

// RunWithEnv is RunIn with extra environment entries ("KEY=value", option
// "env" []string).
func (p *Process) RunWithEnv(ctx context.Context, dir string, env []string, command string, args ...string) Result {
	return p.core.Action("process.run").Run(ctx, NewOptions(
		Option{Key: "command", Value: command},
		Option{Key: "args", Value: args},
		Option{Key: "dir", Value: dir},
		Option{Key: "env", Value: env},
	))
}

// Start starts a process in the background through the "process.start"
// action, passing opts unchanged.
func (p *Process) Start(ctx context.Context, opts Options) Result {
	return p.core.Action("process.start").Run(ctx, opts)
}

// Kill stops a process through the "process.kill" action, passing opts
// unchanged (e.g. "id" or "pid").
func (p *Process) Kill(ctx context.Context, opts Options) Result {
	return p.core.Action("process.kill").Run(ctx, opts)
}

// Exists reports whether process execution is available, i.e. whether a
// "process.run" action with a handler is registered.
func (p *Process) Exists() bool {
	return p.core.Action("process.run").Exists()
}
