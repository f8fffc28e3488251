package process

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Errors of a Runner, before anything runs.
var (
	// ErrRunnerNoService reports a Runner made with a nil *Service.
	ErrRunnerNoService = errors.New("runner: no process service")
	// ErrRunnerInvalidSpecName reports a RunSpec whose Name is empty or
	// used by another spec of the same call.
	ErrRunnerInvalidSpecName = errors.New("runner: invalid spec name")
	// ErrRunnerInvalidAfter reports a RunSpec whose After names no spec,
	// names itself, or closes a cycle.
	ErrRunnerInvalidAfter = errors.New("runner: invalid After")
)

// RunSpec is one command of a pipeline.
type RunSpec struct {
	// Name identifies the spec in results and in other specs' After.
	Name string
	// Command and Args are the program and its arguments, as for Run.
	Command string
	Args    []string
	// Dir is the working directory; empty means the caller's.
	Dir string
	// Env is appended to the parent environment ("KEY=value").
	Env []string
	// After names the specs that must have ended before this one starts
	// (RunAll only).
	After []string
	// AllowFailure lets what comes after this spec run even when it fails;
	// its failure is still counted.
	AllowFailure bool
}

// RunResult is how one spec went.
type RunResult struct {
	Name string
	Spec RunSpec
	// ExitCode is the exit status, as ExitError.Code (-1 for a signal or
	// a command that could not start); 0 for a spec skipped because what
	// it comes after failed, 1 for one skipped because the context ended.
	ExitCode int
	Duration time.Duration
	// Output is what Run returns: the complete combined stdout and stderr.
	Output string
	// Error is why the spec failed or was skipped, or nil.
	Error error
	// Skipped reports a spec that never ran.
	Skipped bool
}

// Passed reports whether the spec ran and exited with status 0.
func (r RunResult) Passed() bool { return !r.Skipped && r.Error == nil && r.ExitCode == 0 }

// RunAllResult is how a pipeline went: one result per spec, in the order
// of the specs given.
type RunAllResult struct {
	Results  []RunResult
	Duration time.Duration
	Passed   int
	Failed   int
	Skipped  int
}

// Success reports whether no spec failed.
func (r RunAllResult) Success() bool { return r.Failed == 0 }

// Runner runs pipelines of commands through a Service, so each command is
// contained, stopped with its descendants and recorded as Run records it.
type Runner struct {
	svc *Service
}

// NewRunner returns a Runner that runs its specs through svc.
func NewRunner(svc *Service) *Runner {
	return &Runner{svc: svc}
}

// RunAll runs specs as their After allows: each starts once every spec it
// names has ended, and specs without a dependency between them run in
// parallel. A spec after one that failed without AllowFailure, or after
// one that was skipped, is skipped. A cycle, an After naming no spec or
// itself, and an empty or repeated Name are errors returned before
// anything runs. A nil ctx means context.Background(). When ctx ends, what runs is stopped and what has not
// started is skipped.
func (r *Runner) RunAll(ctx context.Context, specs []RunSpec) (*RunAllResult, error) {
	ctx = orBackground(ctx)
	if err := r.check(specs); err != nil {
		return nil, err
	}
	if err := checkAfter(specs); err != nil {
		return nil, err
	}
	started := time.Now()
	index := make(map[string]int, len(specs))
	for i, s := range specs {
		index[s.Name] = i
	}
	results := make([]RunResult, len(specs))
	done := make([]chan struct{}, len(specs))
	for i := range done {
		done[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Go(func() {
			defer close(done[i])
			for _, dep := range spec.After {
				<-done[index[dep]]
			}
			if err := ctx.Err(); err != nil {
				results[i] = skippedByContext(spec, err)
				return
			}
			if reason := blockedBy(spec, specs, results, index); reason != nil {
				results[i] = skipped(spec, 0, reason)
				return
			}
			results[i] = r.runOne(ctx, spec)
		})
	}
	wg.Wait()
	return summarise(results, started), nil
}

// blockedBy says why spec must not run now that what it comes after has
// ended, or returns nil.
func blockedBy(spec RunSpec, specs []RunSpec, results []RunResult, index map[string]int) error {
	for _, dep := range spec.After {
		res := results[index[dep]]
		switch {
		case res.Skipped:
			return fmt.Errorf("runner: %s: skipped because %s was skipped", spec.Name, dep)
		case !res.Passed() && !specs[index[dep]].AllowFailure:
			return fmt.Errorf("runner: %s: skipped because %s failed", spec.Name, dep)
		}
	}
	return nil
}

// RunSequential runs specs one after another, in order. After a spec
// fails without AllowFailure, the rest are skipped; when ctx ends, what
// runs is stopped and the rest are skipped.
func (r *Runner) RunSequential(ctx context.Context, specs []RunSpec) (*RunAllResult, error) {
	ctx = orBackground(ctx)
	if err := r.check(specs); err != nil {
		return nil, err
	}
	started := time.Now()
	results := make([]RunResult, len(specs))
	var stop error
	for i, spec := range specs {
		if stop != nil {
			results[i] = skipped(spec, 0, fmt.Errorf("runner: %s: skipped: %w", spec.Name, stop))
			continue
		}
		results[i] = r.runOne(ctx, spec)
		if res := results[i]; !res.Skipped && !res.Passed() && !spec.AllowFailure {
			stop = fmt.Errorf("%s failed", spec.Name)
		}
	}
	return summarise(results, started), nil
}

// RunParallel runs every spec at once and waits for all of them; a
// failure stops none of the others. When ctx ends, what runs is stopped.
func (r *Runner) RunParallel(ctx context.Context, specs []RunSpec) (*RunAllResult, error) {
	ctx = orBackground(ctx)
	if err := r.check(specs); err != nil {
		return nil, err
	}
	started := time.Now()
	results := make([]RunResult, len(specs))
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Go(func() { results[i] = r.runOne(ctx, spec) })
	}
	wg.Wait()
	return summarise(results, started), nil
}

// runOne runs spec through the service with RunWithOptions, or skips it
// when ctx has ended.
func (r *Runner) runOne(ctx context.Context, spec RunSpec) RunResult {
	if err := ctx.Err(); err != nil {
		return skippedByContext(spec, err)
	}
	started := time.Now()
	res := r.svc.RunWithOptions(ctx, RunOptions{Command: spec.Command, Args: spec.Args, Dir: spec.Dir, Env: spec.Env})
	out := RunResult{Name: spec.Name, Spec: spec, Duration: time.Since(started)}
	if res.OK {
		out.Output, _ = res.Value.(string)
		return out
	}
	err, _ := res.Value.(error)
	if err == nil {
		err = fmt.Errorf("runner: %s: run failed", spec.Name)
	}
	out.Error = err
	out.ExitCode = -1
	var exit *ExitError
	if errors.As(err, &exit) {
		out.ExitCode = exit.Code
		out.Output = exit.Output
	}
	var truncated *OutputTruncatedError
	if errors.As(err, &truncated) {
		out.Output = truncated.Output
	}
	return out
}

// skippedByContext is the result of a spec not run because ctx ended
// (err): ExitCode 1, as the anchor reports it.
func skippedByContext(spec RunSpec, err error) RunResult {
	return skipped(spec, 1, fmt.Errorf("runner: %s: skipped: %w", spec.Name, err))
}

func skipped(spec RunSpec, code int, reason error) RunResult {
	return RunResult{Name: spec.Name, Spec: spec, ExitCode: code, Error: reason, Skipped: true}
}

func summarise(results []RunResult, started time.Time) *RunAllResult {
	all := &RunAllResult{Results: results, Duration: time.Since(started)}
	for _, res := range results {
		switch {
		case res.Skipped:
			all.Skipped++
		case res.Passed():
			all.Passed++
		default:
			all.Failed++
		}
	}
	return all
}

// check refuses a Runner without a service and specs without a unique,
// non-empty Name.
func (r *Runner) check(specs []RunSpec) error {
	if r == nil || r.svc == nil {
		return ErrRunnerNoService
	}
	seen := make(map[string]bool, len(specs))
	for i, s := range specs {
		if s.Name == "" {
			return fmt.Errorf("%w: spec %d (command %q) has no name", ErrRunnerInvalidSpecName, i, s.Command)
		}
		if seen[s.Name] {
			return fmt.Errorf("%w: %q is the name of two specs", ErrRunnerInvalidSpecName, s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// checkAfter refuses an After that names no spec or the spec itself, and
// dependencies that form a cycle, naming the specs involved.
func checkAfter(specs []RunSpec) error {
	index := make(map[string]int, len(specs))
	for i, s := range specs {
		index[s.Name] = i
	}
	for _, s := range specs {
		for _, dep := range s.After {
			if dep == s.Name {
				return fmt.Errorf("%w: %s comes after itself", ErrRunnerInvalidAfter, s.Name)
			}
			if _, ok := index[dep]; !ok {
				return fmt.Errorf("%w: %s comes after %q, which is no spec", ErrRunnerInvalidAfter, s.Name, dep)
			}
		}
	}
	const (
		unvisited = iota
		visiting
		visited
	)
	mark := make([]int, len(specs))
	var path []string
	var visit func(i int) error
	visit = func(i int) error {
		switch mark[i] {
		case visiting:
			start := 0
			for k, name := range path {
				if name == specs[i].Name {
					start = k
				}
			}
			cycle := append(append([]string(nil), path[start:]...), specs[i].Name)
			return fmt.Errorf("%w: a cycle: %s", ErrRunnerInvalidAfter, strings.Join(cycle, " → "))
		case visited:
			return nil
		}
		mark[i] = visiting
		path = append(path, specs[i].Name)
		for _, dep := range specs[i].After {
			if err := visit(index[dep]); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		mark[i] = visited
		return nil
	}
	for i := range specs {
		if err := visit(i); err != nil {
			return err
		}
	}
	return nil
}

// orBackground returns ctx, or context.Background() for a nil ctx.
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
