package core

import "context"

// PerformAsync runs the named action in the background and returns
// Result{Value: taskID, OK: true} at once. The action gets
// context.Background() — not the lifecycle context, so ServiceShutdown's
// cancellation does not reach it — and opts exactly as given (no task ID is
// added; the ID is only in the broadcasts). It broadcasts
// ActionTaskStarted (with opts) before the action starts and
// ActionTaskCompleted (with the action's Result) when it ends; an unknown
// action completes with its "not registered" error. ServiceShutdown waits
// for running tasks; once it has begun PerformAsync returns Result{} (no
// error value) and starts nothing.
func (c *Core) PerformAsync(action string, opts Options) Result {
	c.asyncMu.RLock()
	if c.down.Load() {
		c.asyncMu.RUnlock()
		return Result{}
	}
	c.async.Add(1)
	c.asyncMu.RUnlock()

	taskID := ID()
	c.ACTION(ActionTaskStarted{TaskIdentifier: taskID, Action: action, Options: opts})
	go func() {
		defer c.async.Done()
		defer func() {
			if p := recover(); p != nil {
				c.ACTION(ActionTaskCompleted{
					TaskIdentifier: taskID,
					Action:         action,
					Result:         Result{Value: E("core.PerformAsync", sprint("panic: ", p), nil), OK: false},
				})
			}
		}()
		r := c.Action(action).Run(context.Background(), opts)
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
