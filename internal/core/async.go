package core

// PerformAsync runs the named action in the background with the Core's
// lifecycle context (Context) and returns Result{Value: taskID, OK: true}
// at once. It broadcasts ActionTaskStarted before the action starts and
// ActionTaskCompleted (with the action's Result; a panic becomes a failed
// Result) when it ends. The handler receives its task ID under the option
// key "_task" (the caller's opts are not modified), for use with Progress.
// ServiceShutdown waits for running tasks; once it has begun PerformAsync
// fails.
func (c *Core) PerformAsync(action string, opts Options) Result {
	c.init()
	taskID := ID()
	taskOpts := NewOptions(opts.items...)
	taskOpts.Set("_task", taskID)
	ctx := c.Context()

	c.asyncMu.RLock()
	if c.down.Load() {
		c.asyncMu.RUnlock()
		return Result{Value: E("core.PerformAsync", "core is shutting down: action "+quote(action)+" not started", nil), OK: false}
	}
	c.async.Add(1)
	c.asyncMu.RUnlock()

	c.ACTION(ActionTaskStarted{TaskIdentifier: taskID, Action: action, Options: taskOpts})
	go func() {
		defer c.async.Done()
		r := c.Action(action).Run(ctx, taskOpts)
		c.ACTION(ActionTaskCompleted{TaskIdentifier: taskID, Action: action, Result: r})
	}()
	return Result{Value: taskID, OK: true}
}

// Progress broadcasts an ActionTaskProgress for a background task:
// progress is a fraction (0..1 by convention), message says what is
// happening.
func (c *Core) Progress(taskID string, progress float64, message string, action string) {
	c.ACTION(ActionTaskProgress{TaskIdentifier: taskID, Action: action, Progress: progress, Message: message})
}

// goTracked runs fn in a goroutine that ServiceShutdown waits for; it
// reports false (and does not run fn) once shutdown has begun. A panic in
// fn is recovered and logged.
func (c *Core) goTracked(fn func()) bool {
	c.init()
	c.asyncMu.RLock()
	if c.down.Load() {
		c.asyncMu.RUnlock()
		return false
	}
	c.async.Add(1)
	c.asyncMu.RUnlock()
	go func() {
		defer c.async.Done()
		defer func() {
			if p := recover(); p != nil {
				Error("core: background task panicked", "panic", p)
			}
		}()
		fn()
	}()
	return true
}
