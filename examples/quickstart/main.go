// Command quickstart is a guided tour of the process service: it builds a
// Core with the service, runs a command, starts a long-running one and
// follows its output live, lists the process table, kills the process,
// follows one run from Go with OnOutput and shuts the Core down, printing
// what happens at each step.
//
//	go run ./examples/quickstart
//
// It exits 0 within a few seconds, or 1 with the reason on any failure.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process"
)

// ticker prints "tick 1", "tick 2", … every 200 ms until it is stopped. It
// is a shell with a sleep child, so killing it shows that the whole process
// group goes.
const ticker = `i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done`

// wantTicks is how many lines of the ticker the tour waits for.
const wantTicks = 3

// stepTimeout bounds every wait of the tour, so a failure is reported
// instead of hanging.
const stepTimeout = 5 * time.Second

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: FAILED:", err)
		os.Exit(1)
	}
}

func run() error {
	stepNumber = 0
	// Ctrl-C cancels ctx. A process started with a context is stopped when
	// that context ends, so an interrupted tour cleans up after itself.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Println("go-process quickstart")

	step("Build a Core with the process service and start it")
	c := core.New(core.WithService(process.Register))
	if r := c.ServiceStartup(ctx, nil); !r.OK {
		return fmt.Errorf("start the Core: %v", r.Value)
	}
	detail("services: %s", strings.Join(c.Services(), ", "))
	detail("actions:  %s", strings.Join(processActions(c), " "))

	leftRunning, tourErr := tour(ctx, c)

	// Shutting down always happens, even after a failed step: it stops
	// every process the service still runs.
	step("Shut the Core down: c.ServiceShutdown")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	r := c.ServiceShutdown(shutdownCtx)
	if tourErr != nil {
		return tourErr
	}
	if !r.OK {
		return fmt.Errorf("shut the Core down: %v", r.Value)
	}
	info := leftRunning.Info()
	if info.Running {
		return fmt.Errorf("%s %s still running after shutdown", info.Command, strings.Join(info.Args, " "))
	}
	detail("OnShutdown stopped %s %s: status %s, signal %s",
		info.Command, strings.Join(info.Args, " "), info.Status, info.Signal)
	fmt.Println("\nDone.")
	return nil
}

// tour runs the steps between startup and shutdown. It returns a process it
// leaves running for the shutdown to stop.
func tour(ctx context.Context, c *core.Core) (*process.Process, error) {
	// --- Run a command to completion. ------------------------------------
	step(`Run a command: c.Process().Run(ctx, "uname", "-s")`)
	r := c.Process().Run(ctx, "uname", "-s")
	if !r.OK {
		return nil, fmt.Errorf("run uname: %v", r.Value)
	}
	detail("OK, output: %q", r.Value.(string))

	step(`Run a command that fails: sh -c 'echo "disk full" >&2; exit 3'`)
	r = c.Process().Run(ctx, "sh", "-c", `echo "disk full" >&2; exit 3`)
	err, _ := r.Value.(error)
	var exitErr *process.ExitError
	if r.OK || !errors.As(err, &exitErr) {
		return nil, fmt.Errorf("a failing command should give OK:false with a *process.ExitError, got %+v", r)
	}
	detail("OK:false, Value is a *process.ExitError: %v", exitErr)
	detail("exit code %d, and the output is kept: %q", exitErr.Code, exitErr.Output)

	// --- Listen to the broadcast messages. -------------------------------
	// ACTION handlers run on the goroutine that reads the child's output:
	// a handler that blocks slows the child down. This one only hands the
	// events to the tour through a buffered channel and never waits.
	events := make(chan core.Message, 256)
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		switch msg.(type) {
		case process.ActionProcessOutput, process.ActionProcessKilled, process.ActionProcessExited:
			select {
			case events <- msg:
			default: // the tour fell behind; drop rather than stall the child
			}
		}
		return core.Result{OK: true}
	})

	// --- Start a long-running process. -----------------------------------
	step("Start a long-running process: c.Process().Start (action process.start)")
	detail("sh -c '%s'", ticker)
	r = c.Process().Start(ctx, core.NewOptions(
		core.Option{Key: "command", Value: "sh"},
		core.Option{Key: "args", Value: []string{"-c", ticker}},
	))
	if !r.OK {
		return nil, fmt.Errorf("start the ticker: %v", r.Value)
	}
	id := r.Value.(string)
	detail("started, ID %s", id)

	step("Follow its output live from ActionProcessOutput events, until %d ticks", wantTicks)
	if err := awaitTicks(ctx, events, id, wantTicks); err != nil {
		return nil, err
	}

	// --- Inspect the process table. --------------------------------------
	step("List the process table: action process.list")
	r = c.Action("process.list").Run(ctx, core.NewOptions())
	if !r.OK {
		return nil, fmt.Errorf("process.list: %v", r.Value)
	}
	printTable(r.Value.([]process.ProcessInfo))

	// --- Kill it and wait for the end. -----------------------------------
	step("Kill it by ID: c.Process().Kill(ctx, id=%s)", id)
	r = c.Process().Kill(ctx, core.NewOptions(core.Option{Key: "id", Value: id}))
	if !r.OK {
		return nil, fmt.Errorf("kill %s: %v", id, r.Value)
	}
	detail("SIGKILL sent to its process group (the shell and its sleep)")

	step("Wait for it to end: action process.wait")
	waitCtx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	r = c.Action("process.wait").Run(waitCtx, core.NewOptions(core.Option{Key: "id", Value: id}))
	if !r.OK {
		return nil, fmt.Errorf("process.wait %s: %v", id, r.Value)
	}
	info := r.Value.(process.ProcessInfo)
	detail("ended: status %s, signal %s, exit code %d, ran %s",
		info.Status, info.Signal, info.ExitCode, info.Duration.Round(time.Millisecond))
	if err := awaitExitEvents(ctx, events, id); err != nil {
		return nil, err
	}

	// --- IsRunning has turned false. -------------------------------------
	step("Check that it is no longer running")
	svc, ok := core.ServiceFor[*process.Service](c, "process")
	if !ok {
		return nil, errors.New(`no *process.Service registered as "process"`)
	}
	if svc.IsRunning(id) {
		return nil, fmt.Errorf("process %s still running after it ended", id)
	}
	detail(`svc := core.ServiceFor[*process.Service](c, "process")`)
	detail("svc.IsRunning(%q) = %v", id, svc.IsRunning(id))
	r = c.Action("process.get").Run(ctx, core.NewOptions(core.Option{Key: "id", Value: id}))
	if !r.OK {
		return nil, fmt.Errorf("process.get %s: %v", id, r.Value)
	}
	got := r.Value.(process.ProcessInfo)
	if got.Running {
		return nil, fmt.Errorf("process.get %s: still running", id)
	}
	detail("action process.get: running=%v, status=%s", got.Running, got.Status)

	// --- Follow one process from Go. --------------------------------------
	step("Follow one process from Go: svc.RunWithOptions with OnOutput")
	const script = `echo compiling; echo "warning: unused x" >&2; echo done`
	detail("sh -c '%s'", script)
	var followed []string
	r = svc.RunWithOptions(ctx, process.RunOptions{
		Command: "sh", Args: []string{"-c", script},
		// Called with every line of this process only, attached before
		// it starts: nothing is missed.
		OnOutput: func(e process.ActionProcessOutput) {
			followed = append(followed, e.Line)
			detail("OnOutput | %s", e.Line)
		},
	})
	if !r.OK {
		return nil, fmt.Errorf("run the script: %v", r.Value)
	}
	if len(followed) != 3 {
		return nil, fmt.Errorf("OnOutput saw %d lines, want 3: %q", len(followed), followed)
	}
	detail("Run returned the complete output, stdout and stderr in the order written: %q", r.Value.(string))

	// --- The same service, through its Go methods. -----------------------
	step(`Use the service's Go methods directly: svc.Start(ctx, "sleep", "60")`)
	r = svc.Start(ctx, "sleep", "60")
	if !r.OK {
		return nil, fmt.Errorf("start sleep: %v", r.Value)
	}
	sleeper := r.Value.(*process.Process)
	detail("*process.Process %s, PID %d, running=%v: left running for the shutdown",
		sleeper.ID, sleeper.PID, sleeper.IsRunning())
	return sleeper, nil
}

// awaitTicks prints the output lines of process id as they arrive and
// returns once want lines have been seen.
func awaitTicks(ctx context.Context, events <-chan core.Message, id string, want int) error {
	deadline := time.NewTimer(stepTimeout)
	defer deadline.Stop()
	for seen := 0; seen < want; {
		select {
		case msg := <-events:
			switch ev := msg.(type) {
			case process.ActionProcessOutput:
				if ev.ID == id {
					seen++
					detail("%s | %s", ev.Stream, ev.Line)
				}
			case process.ActionProcessExited:
				if ev.ID == id {
					return fmt.Errorf("the ticker ended early: exit code %d, %v", ev.ExitCode, ev.Error)
				}
			}
		case <-deadline.C:
			return fmt.Errorf("timed out after %s waiting for %d output lines", stepTimeout, want)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// awaitExitEvents reads events until the ActionProcessExited of process id
// and reports the killed and exited events. Output that arrived after the
// ticks the tour waited for is counted, not printed.
func awaitExitEvents(ctx context.Context, events <-chan core.Message, id string) error {
	deadline := time.NewTimer(stepTimeout)
	defer deadline.Stop()
	late := 0
	for {
		select {
		case msg := <-events:
			switch ev := msg.(type) {
			case process.ActionProcessOutput:
				if ev.ID == id {
					late++
				}
			case process.ActionProcessKilled:
				if ev.ID == id {
					detail("event ActionProcessKilled: signal %s", ev.Signal)
				}
			case process.ActionProcessExited:
				if ev.ID == id {
					if late > 0 {
						detail("(%d more output lines arrived before the kill)", late)
					}
					detail("event ActionProcessExited: exit code %d, error %v", ev.ExitCode, ev.Error)
					return nil
				}
			}
		case <-deadline.C:
			return fmt.Errorf("timed out after %s waiting for the exit event of %s", stepTimeout, id)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// printTable prints process infos as an aligned table.
func printTable(infos []process.ProcessInfo) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "    ID\tPID\tSTATUS\tEXIT\tCOMMAND")
	for _, p := range infos {
		fmt.Fprintf(w, "    %s\t%d\t%s\t%d\t%s\n", p.ID, p.PID, p.Status, p.ExitCode, commandLine(p))
	}
	w.Flush()
}

// commandLine renders a process's command and arguments, shortened.
func commandLine(p process.ProcessInfo) string {
	line := strings.Join(append([]string{p.Command}, p.Args...), " ")
	if len(line) > 40 {
		line = line[:37] + "..."
	}
	return line
}

// processActions returns the names of the registered process.* actions.
func processActions(c *core.Core) []string {
	var names []string
	for _, name := range c.Actions() {
		if strings.HasPrefix(name, "process.") {
			names = append(names, name)
		}
	}
	return names
}

var stepNumber int

// step prints the heading of the next step.
func step(format string, args ...any) {
	stepNumber++
	fmt.Printf("\n%2d. %s\n", stepNumber, fmt.Sprintf(format, args...))
}

// detail prints one indented line under the current step.
func detail(format string, args ...any) {
	fmt.Printf("    %s\n", fmt.Sprintf(format, args...))
}
