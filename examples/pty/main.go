// Command pty shows why some programs need a terminal, and how to give them
// one. It runs the same small shell snippet twice — once with pipes, once
// on a pseudo-terminal (PTY) — and the snippet behaves visibly differently,
// as ls, git, grep and most progress bars do. Then it starts a long-running
// child on a terminal, resizes the terminal and shows that the child sees
// the new size (it gets SIGWINCH), and shuts the Core down.
//
//	go run ./examples/pty
//
// It exits 0 within a few seconds, or 1 with the reason on any failure.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process"
)

// probe behaves like a program that checks for a terminal: colours and a
// window size on a terminal, plain text otherwise.
const probe = `if [ -t 1 ]; then
  printf 'stdout is a terminal: \033[1;32mcolours on\033[0m\n'
else
  echo 'stdout is a pipe: plain output'
fi
if size=$(stty size 2>/dev/null); then
  echo "window size: $size (rows cols)"
else
  echo 'window size: none (stdin is not a terminal)'
fi`

// watcher reports its window size at start and after every resize, like a
// full-screen program that redraws itself on SIGWINCH.
const watcher = `trap 'echo "resized: $(stty size)"' WINCH
echo "ready: $(stty size)"
while :; do sleep 0.05; done`

// stepTimeout bounds every wait, so a failure is reported instead of
// hanging.
const stepTimeout = 5 * time.Second

func main() {
	// Ctrl-C cancels ctx; a process started with ctx is stopped with it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pty: FAILED:", err)
		os.Exit(1)
	}
}

// run is the whole program; it writes its report to w.
func run(ctx context.Context, w io.Writer) error {
	c := core.New(core.WithService(process.Register))
	if r := c.ServiceStartup(ctx, nil); !r.OK {
		return fmt.Errorf("start the Core: %v", r.Value)
	}
	svc, ok := core.ServiceFor[*process.Service](c, "process")
	if !ok {
		return errors.New(`no *process.Service registered as "process"`)
	}

	// Output events are how a Core application follows a process live.
	// Handlers run on the goroutine that reads the child's output, so this
	// one only hands lines over and never blocks.
	lines := make(chan process.ActionProcessOutput, 64)
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if ev, ok := msg.(process.ActionProcessOutput); ok {
			select {
			case lines <- ev:
			default:
			}
		}
		return core.Result{OK: true}
	})

	watched, err := demo(ctx, w, c, svc, lines)

	// Shutting down stops every process still running: SIGTERM to its
	// group, then SIGKILL after the grace period.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	r := c.ServiceShutdown(shutdownCtx)
	if err != nil {
		return err
	}
	if !r.OK {
		return fmt.Errorf("shut the Core down: %v", r.Value)
	}
	info := watched.Info()
	if info.Running {
		return errors.New("the watcher is still running after shutdown")
	}
	fmt.Fprintf(w, "\nc.ServiceShutdown stopped the watcher (status %s, signal %s). Done.\n", info.Status, info.Signal)
	return nil
}

// demo runs the probe with and without a terminal, then resizes a
// watcher's terminal. It returns the watcher, left running for shutdown.
func demo(ctx context.Context, w io.Writer, c *core.Core, svc *process.Service, lines <-chan process.ActionProcessOutput) (*process.Process, error) {
	// 1. Pipes: what c.Process().Run gives any program.
	r := c.Process().Run(ctx, "sh", "-c", probe)
	if !r.OK {
		return nil, fmt.Errorf("run the probe with pipes: %v", r.Value)
	}
	plain := r.Value.(string)
	fmt.Fprintln(w, "1. Without a terminal — c.Process().Run(ctx, \"sh\", \"-c\", probe):")
	show(w, plain)

	// 2. A terminal: the pty, rows and cols options of process.run.
	r = c.Action("process.run").Run(ctx, core.NewOptions(
		core.Option{Key: "command", Value: "sh"},
		core.Option{Key: "args", Value: []string{"-c", probe}},
		core.Option{Key: "pty", Value: true},
		core.Option{Key: "rows", Value: 30},
		core.Option{Key: "cols", Value: 100},
	))
	if !r.OK {
		return nil, fmt.Errorf("run the probe on a terminal: %v", r.Value)
	}
	onTTY := r.Value.(string)
	fmt.Fprintln(w, "\n2. On a 30×100 terminal — action process.run with pty: true, rows: 30, cols: 100:")
	show(w, onTTY)
	fmt.Fprintln(w, "   The same snippet now colours its output and knows its window size.")
	fmt.Fprintln(w, "   Raw, the terminal's output has \\r\\n line ends and escape codes:")
	fmt.Fprintf(w, "   %q\n", firstLine(onTTY))
	if plain == onTTY || !strings.Contains(onTTY, "30 100") {
		return nil, fmt.Errorf("the terminal made no difference: %q vs %q", plain, onTTY)
	}

	// 3. Resize a running program's terminal.
	fmt.Fprintln(w, "\n3. Resizing the terminal of a running program (svc.StartWithOptions, PTY: true).")
	fmt.Fprintln(w, "   It gets SIGWINCH and prints its new size, as a full-screen program redraws:")
	res := svc.StartWithOptions(ctx, process.RunOptions{
		Command: "sh", Args: []string{"-c", watcher}, PTY: true,
	})
	if !res.OK {
		return nil, fmt.Errorf("start the watcher: %v", res.Value)
	}
	p := res.Value.(*process.Process)
	if err := awaitLine(ctx, w, lines, p.ID, "ready: 24 80"); err != nil {
		return p, err
	}
	fmt.Fprintln(w, "   p.Resize(40, 120)")
	if err := p.Resize(40, 120); err != nil {
		return p, err
	}
	if err := awaitLine(ctx, w, lines, p.ID, "resized: 40 120"); err != nil {
		return p, err
	}
	fmt.Fprintln(w, "   action process.resize with rows: 50, cols: 132")
	r = c.Action("process.resize").Run(ctx, core.NewOptions(
		core.Option{Key: "id", Value: p.ID},
		core.Option{Key: "rows", Value: 50},
		core.Option{Key: "cols", Value: 132},
	))
	if !r.OK {
		return p, fmt.Errorf("process.resize: %v", r.Value)
	}
	if err := awaitLine(ctx, w, lines, p.ID, "resized: 50 132"); err != nil {
		return p, err
	}
	return p, nil
}

// show prints a command's output, indented, with the terminal's "\r\n"
// line ends made plain.
func show(w io.Writer, out string) {
	out = strings.ReplaceAll(out, "\r\n", "\n")
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		fmt.Fprintf(w, "   | %s\n", l)
	}
}

// firstLine returns out up to and including its first "\n".
func firstLine(out string) string {
	if i := strings.IndexByte(out, '\n'); i >= 0 {
		return out[:i+1]
	}
	return out
}

// awaitLine prints the output lines of process id until one equals want.
func awaitLine(ctx context.Context, w io.Writer, lines <-chan process.ActionProcessOutput, id, want string) error {
	deadline := time.NewTimer(stepTimeout)
	defer deadline.Stop()
	for {
		select {
		case ev := <-lines:
			if ev.ID != id {
				continue
			}
			fmt.Fprintf(w, "   %s | %s\n", ev.Stream, ev.Line)
			if ev.Line == want {
				return nil
			}
		case <-deadline.C:
			return fmt.Errorf("no line %q within %s", want, stepTimeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
