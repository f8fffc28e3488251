// Command dispatch shows a second service, Builder, that runs commands
// without importing the process package: it dispatches the process.*
// actions through Core. Only this file, which wires the application
// together, imports the process package.
//
//	go run ./examples/dispatch
//
// builder_test.go shows how Builder's tests replace the process service
// with a fake process.run handler.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dispatch: FAILED:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The process service is registered first: its OnStartup registers the
	// process.* actions that Builder dispatches.
	c := core.New(
		core.WithService(process.Register),
		core.WithName("builder", NewBuilder),
	)
	if r := c.ServiceStartup(ctx, nil); !r.OK {
		return fmt.Errorf("start the Core: %v", r.Value)
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.ServiceShutdown(shutdownCtx)
	}()

	b, ok := core.ServiceFor[*Builder](c, "builder")
	if !ok {
		return errors.New(`no *Builder registered as "builder"`)
	}
	fmt.Printf("Core services: %s; process capability: %v\n", strings.Join(c.Services(), ", "), c.Process().Exists())

	// Background jobs: one that finishes on its own, one we cancel.
	r := b.Start(ctx, Step{Name: "index", Command: "sh", Args: []string{"-c", "echo indexing; sleep 0.3; echo indexed 42 files"}})
	if !r.OK {
		return fmt.Errorf("start index job: %v", r.Value)
	}
	indexJob := r.Value.(string)
	r = b.Start(ctx, Step{Name: "watch", Command: "sleep", Args: []string{"60"}})
	if !r.OK {
		return fmt.Errorf("start watch job: %v", r.Value)
	}
	watchJob := r.Value.(string)
	fmt.Printf("\nstarted background jobs: index=%s watch=%s\n", indexJob, watchJob)

	// A build whose steps all succeed.
	dir, err := os.MkdirTemp("", "dispatch-example-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Println("\nbuild 1:")
	r = b.Build(ctx,
		Step{Name: "where", Command: "pwd", Dir: dir},
		Step{Name: "greet", Command: "sh", Args: []string{"-c", `echo "$GREETING from the build"`}, Env: []string{"GREETING=hello"}},
	)
	if !r.OK {
		return fmt.Errorf("build 1: %v", r.Value)
	}
	for _, s := range r.Value.([]StepResult) {
		fmt.Printf("  %-6s ok  %s\n", s.Name, strings.TrimSpace(s.Output))
	}

	// A build that fails at its first step: the second never runs.
	fmt.Println("\nbuild 2:")
	r = b.Build(ctx,
		Step{Name: "compile", Command: "sh", Args: []string{"-c", `echo "main.go:3:2: undefined: x" >&2; exit 2`}},
		Step{Name: "package", Command: "sh", Args: []string{"-c", "echo never runs"}},
	)
	if r.OK {
		return errors.New("build 2 should have failed")
	}
	err, _ = r.Value.(error)
	fmt.Printf("  failed as expected: %v\n", err)
	// Builder wraps the action's error, so code that does import the
	// process package can still get at the exit code and the output.
	var exitErr *process.ExitError
	if !errors.As(err, &exitErr) {
		return fmt.Errorf("build 2: want a *process.ExitError in the chain, got %v", err)
	}
	fmt.Printf("  exit code %d, output %q\n", exitErr.Code, exitErr.Output)

	// Collect the background jobs.
	fmt.Println("\nbackground jobs:")
	r = b.Finish(ctx, indexJob)
	if !r.OK {
		return fmt.Errorf("finish index job: %v", r.Value)
	}
	fmt.Printf("  index  finished, output %q\n", r.Value.(string))
	if r = b.Cancel(ctx, watchJob, 5*time.Second); !r.OK {
		return fmt.Errorf("cancel watch job: %v", r.Value)
	}
	fmt.Println("  watch  cancelled")
	return nil
}
