package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	core "dappco.re/go/core"
)

// Builder is an ordinary Core service that needs to run commands. It does
// not import the process package: it only dispatches the process.* actions
// through its Core. Whatever registered those actions runs the commands —
// the real process service in main, a fake in the tests — and a Core
// without them gives Builder no process capability at all.
type Builder struct {
	c *core.Core
}

// NewBuilder is the factory for core.WithName("builder", NewBuilder).
func NewBuilder(c *core.Core) core.Result {
	return core.Result{Value: &Builder{c: c}, OK: true}
}

// Step is one command of a build.
type Step struct {
	Name    string
	Command string
	Args    []string
	Dir     string   // working directory; "" is the caller's
	Env     []string // "KEY=value" entries added to the environment
}

// StepResult is what a step printed.
type StepResult struct {
	Name   string
	Output string
}

// Build runs the steps in order through the process.run action and stops
// at the first that fails. The Result's Value is the []StepResult of every
// step; a failure gives OK false and an error naming the step, which wraps
// the action's error (errors.As still finds, say, a *process.ExitError for
// a caller that imports the process package).
func (b *Builder) Build(ctx context.Context, steps ...Step) core.Result {
	done := make([]StepResult, 0, len(steps))
	for _, s := range steps {
		r := b.c.Process().RunWithEnv(ctx, s.Dir, s.Env, s.Command, s.Args...)
		if !r.OK {
			return core.Result{Value: fmt.Errorf("builder: step %q: %w", s.Name, resultError(r))}
		}
		output, _ := r.Value.(string)
		done = append(done, StepResult{Name: s.Name, Output: output})
	}
	return core.Result{Value: done, OK: true}
}

// Start starts a background job through the process.start action. The
// Result's Value is the job's process ID (a string), for Finish and Cancel.
// The job is stopped when ctx ends.
func (b *Builder) Start(ctx context.Context, s Step) core.Result {
	r := b.c.Action("process.start").Run(ctx, core.NewOptions(
		core.Option{Key: "command", Value: s.Command},
		core.Option{Key: "args", Value: s.Args},
		core.Option{Key: "dir", Value: s.Dir},
		core.Option{Key: "env", Value: s.Env},
	))
	if !r.OK {
		return core.Result{Value: fmt.Errorf("builder: start %q: %w", s.Name, resultError(r))}
	}
	return r
}

// Finish waits for job id to end (process.wait) and returns what it printed
// (process.output) as the Result's Value.
func (b *Builder) Finish(ctx context.Context, id string) core.Result {
	byID := core.NewOptions(core.Option{Key: "id", Value: id})
	if r := b.c.Action("process.wait").Run(ctx, byID); !r.OK {
		return core.Result{Value: fmt.Errorf("builder: wait for job %s: %w", id, resultError(r))}
	}
	r := b.c.Action("process.output").Run(ctx, byID)
	if !r.OK {
		return core.Result{Value: fmt.Errorf("builder: output of job %s: %w", id, resultError(r))}
	}
	return r
}

// Cancel kills job id (process.kill) and waits, at most timeout, until it
// has ended.
func (b *Builder) Cancel(ctx context.Context, id string, timeout time.Duration) core.Result {
	byID := core.NewOptions(core.Option{Key: "id", Value: id})
	if r := b.c.Process().Kill(ctx, byID); !r.OK {
		return core.Result{Value: fmt.Errorf("builder: cancel job %s: %w", id, resultError(r))}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if r := b.c.Action("process.wait").Run(ctx, byID); !r.OK {
		return core.Result{Value: fmt.Errorf("builder: cancel job %s: %w", id, resultError(r))}
	}
	return core.Result{OK: true}
}

// resultError is the error a failed Result carries.
func resultError(r core.Result) error {
	if err, ok := r.Value.(error); ok {
		return err
	}
	if r.Value != nil {
		return fmt.Errorf("%v", r.Value)
	}
	return errors.New("failed without a reason")
}
