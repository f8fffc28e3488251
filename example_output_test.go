package process_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
)

// Follow one process from Go: Stdout gets the bytes as they arrive (for
// Run, both streams through one pipe, in the order written) and OnOutput
// gets its lines, and no other process's. Both have had everything by the
// time Run returns.
func ExampleRunOptions_follow() {
	svc := process.Register(core.New()).Value.(*process.Service)

	var warnings []string
	r := svc.RunWithOptions(context.Background(), process.RunOptions{
		Command: "sh",
		Args:    []string{"-c", "echo building; echo 'warning: x unused' >&2; echo built"},
		Stdout:  os.Stdout,
		OnOutput: func(e process.ActionProcessOutput) {
			if strings.HasPrefix(e.Line, "warning:") {
				warnings = append(warnings, e.Line)
			}
		},
	})
	fmt.Println(r.OK, warnings)
	// Output:
	// building
	// warning: x unused
	// built
	// true [warning: x unused]
}

// Run returns the complete output unless OutputLimit bounds it; going over
// the bound is an error that keeps the newest bytes.
func ExampleOutputTruncatedError() {
	svc := process.Register(core.New()).Value.(*process.Service)

	r := svc.RunWithOptions(context.Background(), process.RunOptions{
		Command: "seq", Args: []string{"1", "1000"}, OutputLimit: 9,
	})
	err, _ := r.Value.(error)
	var truncated *process.OutputTruncatedError
	if errors.Is(err, process.ErrOutputTruncated) && errors.As(err, &truncated) {
		fmt.Printf("wrote %d bytes, kept %q\n", truncated.Written, truncated.Output)
	}
	// Output: wrote 3893 bytes, kept "999\n1000\n"
}

// An option an action does not know is refused, with the one it most
// likely meant.
func ExampleService_OnStartup_strictOptions() {
	ctx := context.Background()
	c := core.New(core.WithService(process.Register))
	c.ServiceStartup(ctx, nil)
	defer c.ServiceShutdown(ctx)

	r := c.Action("process.start").Run(ctx, core.NewOptions(
		core.Option{Key: "command", Value: "echo"},
		core.Option{Key: "arg", Value: []string{"hi"}},
	))
	fmt.Println(r.Value)

	r = c.Action("process.run").Run(ctx, core.NewOptions(
		core.Option{Key: "command", Value: "sleep"},
		core.Option{Key: "args", Value: []string{"1"}},
		core.Option{Key: "timeout", Value: 5},
	))
	fmt.Println(r.Value)
	// Output:
	// process.start: unknown option "arg" (did you mean "args"?)
	// process.run: option "timeout": a bare number is ambiguous: write "5s" for seconds or "5ms" for milliseconds (a duration string, or a time.Duration), got 5
}
