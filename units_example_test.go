package process_test

import (
	"context"
	"fmt"
	"time"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
)

// Up starts units in dependency order: "web" waits for "db" to be ready
// (its Output probe sees the line) and for the "migrate" one-shot to
// succeed. Up returns once every unit is ready or succeeded.
func ExampleService_Up() {
	ctx := context.Background()
	c := core.New(core.WithService(process.Register))
	c.ServiceStartup(ctx, nil)
	defer c.ServiceShutdown(ctx) // downs every unit, web first
	svc, _ := core.ServiceFor[*process.Service](c, "process")

	err := svc.Up(ctx,
		process.UnitSpec{
			Name:    "db",
			Process: process.RunOptions{Command: "sh", Args: []string{"-c", "echo accepting connections; exec sleep 60"}},
			Ready:   &process.Probe{Output: "accepting connections"},
		},
		process.UnitSpec{
			Name:    "migrate",
			Process: process.RunOptions{Command: "sh", Args: []string{"-c", "echo migrated"}},
			After:   []process.Dependency{{Unit: "db"}},
		},
		process.UnitSpec{
			Name:    "web",
			Process: process.RunOptions{Command: "sleep", Args: []string{"60"}},
			Restart: process.RestartOnFailure,
			After: []process.Dependency{
				{Unit: "db", Condition: process.ConditionReady},
				{Unit: "migrate", Condition: process.ConditionSucceeded},
			},
		},
	)
	fmt.Println("up:", err)
	for _, u := range svc.Units() {
		fmt.Println(u.Name, u.State)
	}
	// Output:
	// up: <nil>
	// db ready
	// migrate succeeded
	// web ready
}

// A unit with RestartOnFailure is started again, after its backoff delay,
// when it crashes; MaxRestarts bounds the restarts in a row. Every change
// is broadcast as an ActionUnitChanged.
func ExampleService_Up_restart() {
	ctx := context.Background()
	c := core.New(core.WithService(process.Register))
	c.ServiceStartup(ctx, nil)
	defer c.ServiceShutdown(ctx)
	svc, _ := core.ServiceFor[*process.Service](c, "process")

	failed := make(chan process.ActionUnitChanged, 1)
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if e, ok := msg.(process.ActionUnitChanged); ok && e.State == process.UnitFailed {
			failed <- e
		}
		return core.Result{OK: true}
	})

	err := svc.Up(ctx, process.UnitSpec{
		Name:        "flaky",
		Process:     process.RunOptions{Command: "sh", Args: []string{"-c", "exit 1"}},
		Restart:     process.RestartOnFailure,
		Backoff:     process.Backoff{Initial: 10 * time.Millisecond, Jitter: -1},
		MaxRestarts: 2,
	})
	fmt.Println("up:", err) // ready once started: it has no Ready probe
	e := <-failed
	fmt.Println(e.Name, e.State, e.Restarts)
	fmt.Println(e.Error)
	// Output:
	// up: <nil>
	// flaky failed 2
	// gave up after 2 restarts in a row: exited with status 1
}
