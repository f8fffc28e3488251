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
// stores a copy named name and returns it; without one it returns the
// registered task, or — never nil — an empty Task carrying the name (whose
// Run fails).
func (c *Core) Task(name string, def ...Task) *Task {
	c.init()
	if len(def) > 0 {
		t := def[0]
		t.Name = name
		t.Steps = append([]Step(nil), t.Steps...)
		if r := c.tasks.Set(name, &t); !r.OK {
			Warn("core.Task: registration refused", "task", name, "err", r.Value)
		}
		return &t
	}
	if t, ok := c.tasks.get(name); ok {
		return t
	}
	return &Task{Name: name}
}

// Tasks returns the registered task names in registration order.
func (c *Core) Tasks() []string {
	c.init()
	return c.tasks.Names()
}

// Run runs the steps in order on c. A step's options are its With options,
// or opts when it has none; with Input "previous" the last synchronous
// step's Value is added as "_input". A synchronous step that fails stops
// the task and its Result is returned; an async step is started in the
// background (tracked, so ServiceShutdown waits for it) and not waited
// for. A task without steps, a nil c or a step naming an unregistered
// action fails with an error. On success the last synchronous step's
// Result is returned.
func (t *Task) Run(ctx context.Context, c *Core, opts Options) Result {
	const op = "task.Run"
	if t == nil || len(t.Steps) == 0 {
		name := "<nil>"
		if t != nil {
			name = quote(t.Name)
		}
		return Result{Value: E(op, "task has no steps: "+name, nil), OK: false}
	}
	if c == nil {
		return Result{Value: E(op, "task "+quote(t.Name)+" run without a Core", nil), OK: false}
	}
	last := Result{OK: true}
	for i, step := range t.Steps {
		stepOpts := NewOptions(step.With.items...)
		if stepOpts.Len() == 0 {
			stepOpts = NewOptions(opts.items...)
		}
		if step.Input == "previous" && i > 0 && last.OK {
			stepOpts.Set("_input", last.Value)
		}
		a := c.Action(step.Action)
		if !a.Exists() {
			return Result{Value: E(op, "task "+quote(t.Name)+": action not found: "+quote(step.Action), nil), OK: false}
		}
		if step.Async {
			o := stepOpts
			if !c.goTracked(func() { a.Run(ctx, o) }) {
				return Result{Value: E(op, "task "+quote(t.Name)+": core is shutting down, async step "+quote(step.Action)+" not started", nil), OK: false}
			}
			continue
		}
		last = a.Run(ctx, stepOpts)
		if !last.OK {
			return last
		}
	}
	return last
}
