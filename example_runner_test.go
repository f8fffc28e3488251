package process_test

import (
	"context"
	"fmt"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
)

// RunAll runs a pipeline as After allows: build waits for generate, test
// and vet wait for build and run side by side, and package, which comes
// after the failing vet, is skipped. Results come in the order given.
func ExampleRunner_RunAll() {
	ctx := context.Background()
	c := core.New(core.WithService(process.Register))
	c.ServiceStartup(ctx, nil)
	defer c.ServiceShutdown(ctx)
	svc, _ := core.ServiceFor[*process.Service](c, "process")

	result, err := process.NewRunner(svc).RunAll(ctx, []process.RunSpec{
		{Name: "generate", Command: "echo", Args: []string{"generated"}},
		{Name: "build", Command: "echo", Args: []string{"built"}, After: []string{"generate"}},
		{Name: "test", Command: "echo", Args: []string{"tested"}, After: []string{"build"}},
		{Name: "vet", Command: "sh", Args: []string{"-c", "echo 'vet: 1 issue'; exit 2"}, After: []string{"build"}},
		{Name: "package", Command: "echo", Args: []string{"packaged"}, After: []string{"test", "vet"}},
	})
	if err != nil {
		fmt.Println(err) // a cycle or an unknown After: nothing ran
		return
	}
	for _, r := range result.Results {
		switch {
		case r.Skipped:
			fmt.Printf("%-8s skipped: %v\n", r.Name, r.Error)
		default:
			fmt.Printf("%-8s exit %d: %q\n", r.Name, r.ExitCode, r.Output)
		}
	}
	fmt.Printf("passed %d, failed %d, skipped %d, success %v\n", result.Passed, result.Failed, result.Skipped, result.Success())
	// Output:
	// generate exit 0: "generated\n"
	// build    exit 0: "built\n"
	// test     exit 0: "tested\n"
	// vet      exit 2: "vet: 1 issue\n"
	// package  skipped: runner: package: skipped because vet failed
	// passed 3, failed 1, skipped 1, success false
}
