package core

import "context"

// Step is one step of a Task: the named action to run, its static
// options, whether it runs in the background, and where its input comes
// from ("previous" passes the last synchronous step's Value as option
// "_input").
type Step struct {
	Action string
	With   Options
	Async  bool
	Input  string
}

// Task is a named sequence of Steps.
type Task struct {
	Name        string
	Description string
	Steps       []Step
}

// Task registers or looks up the task called name. With a definition it
// stores a copy of the Task value named name (sharing its Steps slice) and
// returns it; without one it returns the registered task, or — never nil
// — an empty Task carrying the name (whose Run fails).
func (c *Core) Task(name string, def ...Task) *Task {
	if len(def) > 0 {
		t := def[0]
		t.Name = name
		c.ipc.tasks.Set(name, &t)
		return &t
	}
	if t, ok := c.ipc.tasks.get(name); ok {
		return t
	}
	return &Task{Name: name}
}

// Tasks returns the registered task names in registration order.
func (c *Core) Tasks() []string {
	return c.ipc.tasks.Names()
}

// Run runs the steps in order on c. A step's options are its With options,
// or opts when it has none (the same Options, not a copy); with Input
// "previous" and a successful previous synchronous step, that step's Value
// is set as "_input". A synchronous step that fails stops the task and its
// Result is returned. An async step is started in a plain goroutine (its
// panic is logged; ServiceShutdown does not wait for it) and not waited
// for. The Result of the last synchronous step is returned — Result{},
// not OK, when every step was async. A task without steps, or a step
// naming an unregistered action, fails with an error; a nil c panics.
func (t *Task) Run(ctx context.Context, c *Core, opts Options) Result {
	if t == nil || len(t.Steps) == 0 {
		return Result{Value: E("task.Run", "task has no steps: "+t.safeName(), nil), OK: false}
	}
	var last Result
	for _, step := range t.Steps {
		stepOpts := step.With
		if stepOpts.Len() == 0 {
			stepOpts = opts
		}
		if step.Input == "previous" && last.OK {
			stepOpts.Set("_input", last.Value)
		}
		a := c.Action(step.Action)
		if !a.Exists() {
			return Result{Value: E("task.Run", "action not found: "+step.Action, nil), OK: false}
		}
		if step.Async {
			go func(a *Action, o Options) {
				defer func() {
					if p := recover(); p != nil {
						Error("async task step panicked", "action", a.Name, "panic", p)
					}
				}()
				a.Run(ctx, o)
			}(a, stepOpts)
			continue
		}
		last = a.Run(ctx, stepOpts)
		if !last.OK {
			return last
		}
	}
	return last
}

// safeName returns the task's name, or "<nil>" for a nil task.
func (t *Task) safeName() string {
	if t == nil {
		return "<nil>"
	}
	return t.Name
}
