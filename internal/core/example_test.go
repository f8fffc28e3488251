package core_test

import (
	"context"
	"fmt"
	"strings"

	"dappco.re/go/core"
)

// Register a named action, invoke it by name, and probe for one that does
// not exist.
func ExampleCore_Action() {
	c := core.New()
	c.Action("greet", func(_ context.Context, opts core.Options) core.Result {
		return core.Result{Value: "hello " + opts.String("name"), OK: true}
	})

	r := c.Action("greet").Run(context.Background(), core.NewOptions(
		core.Option{Key: "name", Value: "world"},
	))
	fmt.Println(r.Value, r.OK)

	missing := c.Action("deploy")
	fmt.Println(missing.Exists(), missing.Run(context.Background(), core.Options{}).OK)
	// Output:
	// hello world true
	// false false
}

// A Core without a process service cannot run processes; a fake
// "process.run" handler (as a test of another service would register)
// receives the command, args and dir as options.
func ExampleProcess() {
	ctx := context.Background()

	sandboxed := core.New()
	fmt.Println(sandboxed.Process().Exists(), sandboxed.Process().Run(ctx, "git", "log").OK)

	c := core.New()
	c.Action("process.run", func(_ context.Context, opts core.Options) core.Result {
		args, _ := opts.Get("args").Value.([]string)
		line := opts.String("command") + " " + strings.Join(args, " ")
		return core.Result{Value: "ran `" + line + "` in " + opts.String("dir"), OK: true}
	})
	r := c.Process().RunIn(ctx, "/repo", "git", "log", "--oneline")
	fmt.Println(r.Value)
	// Output:
	// false false
	// ran `git log --oneline` in /repo
}

// Broadcast a message to every registered handler.
func ExampleCore_ACTION() {
	c := core.New()
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if s, ok := msg.(string); ok {
			fmt.Println("got", s)
		}
		return core.Result{OK: true}
	})
	c.ACTION("ping")
	// Output: got ping
}

// A sandboxed filesystem keeps every path inside its root: ".." is clamped
// at the root, so /etc/passwd is out of reach.
func ExampleFs_New() {
	fsys := core.New().Fs().New("/nonexistent-root-for-example")
	fmt.Println(fsys.Root(), fsys.Exists("../../etc/passwd"))
	// Output: /nonexistent-root-for-example false
}
