package process_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
)

// Register the service with a Core and run a command through the Core's
// process primitive, as any other service would.
func ExampleRegister() {
	ctx := context.Background()
	c := core.New(core.WithService(process.Register))
	c.ServiceStartup(ctx, nil) // registers the process.* actions
	defer c.ServiceShutdown(ctx)

	r := c.Process().Run(ctx, "echo", "hello")
	fmt.Printf("ok=%v output=%q\n", r.OK, r.Value)
	// Output: ok=true output="hello\n"
}

// A Core without the process service has no process capability.
func ExampleRegister_withoutService() {
	c := core.New()
	r := c.Process().Run(context.Background(), "echo", "hello")
	fmt.Println(r.OK)
	// Output: false
}

// NewService configures the service, here with a small output capture
// for started processes. Run is not bounded by it: it returns everything.
func ExampleNewService() {
	ctx := context.Background()
	c := core.New(core.WithService(process.NewService(process.Options{BufferSize: 4})))
	c.ServiceStartup(ctx, nil)
	defer c.ServiceShutdown(ctx)
	svc, _ := core.ServiceFor[*process.Service](c, "process")

	p := svc.Start(ctx, "echo", "abcdefgh").Value.(*process.Process)
	<-p.Done()
	fmt.Printf("%q\n", p.Output()) // only the last 4 bytes are kept

	r := c.Process().Run(ctx, "echo", "abcdefgh")
	fmt.Printf("%q\n", r.Value)
	// Output:
	// "fgh\n"
	// "abcdefgh\n"
}

// The service also works standalone, through its Go methods.
func ExampleService_Run() {
	svc := process.Register(core.New()).Value.(*process.Service)

	r := svc.Run(context.Background(), "sh", "-c", "echo to stdout; echo to stderr >&2")
	fmt.Println(r.OK)
	out := r.Value.(string) // combined stdout and stderr
	fmt.Println(strings.Contains(out, "to stdout\n"), strings.Contains(out, "to stderr\n"))
	// Output:
	// true
	// true true
}

// A non-zero exit is an *ExitError that still carries the output.
func ExampleService_Run_exitError() {
	svc := process.Register(core.New()).Value.(*process.Service)

	r := svc.Run(context.Background(), "sh", "-c", "echo something went wrong; exit 3")
	var exitErr *process.ExitError
	if !r.OK && errors.As(r.Value.(error), &exitErr) {
		fmt.Printf("exit code %d, output %q\n", exitErr.Code, exitErr.Output)
	}
	// Output: exit code 3, output "something went wrong\n"
}

// RunWithOptions feeds Input to the process's stdin.
func ExampleService_RunWithOptions() {
	svc := process.Register(core.New()).Value.(*process.Service)

	r := svc.RunWithOptions(context.Background(), process.RunOptions{
		Command: "tr",
		Args:    []string{"a-z", "A-Z"},
		Input:   "shout\n",
	})
	fmt.Print(r.Value)
	// Output: SHOUT
}

// Start a process in the background, wait for it and read its output.
func ExampleService_StartWithOptions() {
	svc := process.Register(core.New()).Value.(*process.Service)

	r := svc.StartWithOptions(context.Background(), process.RunOptions{
		Command: "sh",
		Args:    []string{"-c", "echo working; exit 2"},
	})
	if !r.OK {
		fmt.Println("start failed:", r.Value)
		return
	}
	p := r.Value.(*process.Process)
	<-p.Done()

	info := p.Info()
	fmt.Println(info.Status, info.ExitCode)
	fmt.Printf("%q\n", p.Output())
	// Output:
	// exited 2
	// "working\n"
}

// Stop a running process; Wait tells when it has ended.
func ExampleProcess_Kill() {
	svc := process.Register(core.New()).Value.(*process.Service)

	p := svc.Start(context.Background(), "sleep", "30").Value.(*process.Process)
	if err := p.Kill(); err != nil {
		fmt.Println(err)
	}
	err := p.Wait()
	info := p.Info()
	fmt.Println(info.Status, info.Signal, err)

	// Killing it again is harmless, and says so.
	fmt.Println(errors.Is(p.Kill(), process.ErrProcessNotRunning))
	// Output:
	// killed SIGKILL process ended by signal SIGKILL
	// true
}

// A started process keeps its stdin open for SendInput until CloseStdin.
func ExampleProcess_SendInput() {
	svc := process.Register(core.New()).Value.(*process.Service)

	p := svc.Start(context.Background(), "cat").Value.(*process.Process)
	_ = p.SendInput("hello\n")
	_ = p.SendInput("world\n")
	_ = p.CloseStdin() // cat sees end of input and exits
	if err := p.Wait(); err != nil {
		fmt.Println(err)
	}
	fmt.Print(p.Output())
	// Output:
	// hello
	// world
}

// Listen to ActionProcessOutput broadcasts to follow a process line by
// line. Every output event arrives before the process's exit event.
func ExampleActionProcessOutput() {
	ctx := context.Background()
	c := core.New(core.WithService(process.Register))
	c.ServiceStartup(ctx, nil)
	defer c.ServiceShutdown(ctx)

	exited := make(chan struct{})
	var lines []string
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		switch m := msg.(type) {
		case process.ActionProcessOutput:
			lines = append(lines, fmt.Sprintf("%s: %s", m.Stream, m.Line))
		case process.ActionProcessExited:
			lines = append(lines, fmt.Sprintf("exited with %d", m.ExitCode))
			close(exited)
		}
		return core.Result{OK: true}
	})

	r := c.Process().Start(ctx, core.NewOptions(
		core.Option{Key: "command", Value: "printf"},
		core.Option{Key: "args", Value: []string{`one\r\ntwo\nthree`}},
	))
	if !r.OK {
		fmt.Println("start failed:", r.Value)
		return
	}
	<-exited
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// stdout: one
	// stdout: two
	// stdout: three
	// exited with 0
}

// Other services drive processes through the named actions alone.
func ExampleService_OnStartup() {
	ctx := context.Background()
	c := core.New(core.WithService(process.Register))
	c.ServiceStartup(ctx, nil)
	defer c.ServiceShutdown(ctx)

	r := c.Action("process.start").Run(ctx, core.NewOptions(
		core.Option{Key: "command", Value: "sh"},
		core.Option{Key: "args", Value: []any{"-c", "echo done"}},
	))
	id := r.Value.(string)

	r = c.Action("process.wait").Run(ctx, core.NewOptions(core.Option{Key: "id", Value: id}))
	info := r.Value.(process.ProcessInfo)
	fmt.Println(info.Status, info.ExitCode)

	r = c.Action("process.output").Run(ctx, core.NewOptions(core.Option{Key: "id", Value: id}))
	fmt.Printf("%q\n", r.Value)
	// Output:
	// exited 0
	// "done\n"
}
