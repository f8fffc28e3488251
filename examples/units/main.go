// Command units shows supervised units: a "db" that becomes ready when it
// says so, a "migrate" one-shot that runs once the db is ready, and a
// "web" that starts only once the db is ready and the migration has
// succeeded. It then crashes web (SIGKILL to its process from outside, as
// an out-of-memory killer would) and shows the unit manager restart it after
// its backoff delay, and finally downs everything in reverse dependency
// order. Every unit's output and every state change is printed live.
//
//	go run ./examples/units
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
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process"
)

// stepTimeout bounds every wait, so a failure is reported instead of
// hanging.
const stepTimeout = 10 * time.Second

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "units: FAILED:", err)
		os.Exit(1)
	}
}

// specs returns the three units. Each writes its output through log,
// prefixed with its name.
func specs(log *logger) []process.UnitSpec {
	sh := func(name, script string) process.RunOptions {
		return process.RunOptions{
			Command:     "sh",
			Args:        []string{"-c", script},
			GracePeriod: 2 * time.Second,
			// Every line of this unit's processes, and of no other.
			OnOutput: func(line process.ActionProcessOutput) { log.line(name, line.Line) },
		}
	}
	return []process.UnitSpec{
		{
			Name:    "db",
			Process: sh("db", `echo "starting"; sleep 0.3; echo "ready to accept connections"; exec sleep 600`),
			Restart: process.RestartOnFailure,
			// Ready when it says so.
			Ready: &process.Probe{Output: `ready to accept connections`},
		},
		{
			Name:    "migrate",
			Process: sh("migrate", `for m in 001_init 002_users 003_orders; do echo "applying $m"; sleep 0.05; done; echo "schema up to date"`),
			// A one-shot: RestartNever, and exit status 0 makes it succeeded.
			After: []process.Dependency{{Unit: "db", Condition: process.ConditionReady}},
		},
		{
			Name:    "web",
			Process: sh("web", `echo "listening on :8080"; exec sleep 600`),
			Restart: process.RestartOnFailure,
			Backoff: process.Backoff{Initial: 500 * time.Millisecond, Max: 5 * time.Second},
			Ready:   &process.Probe{Output: `listening on`},
			After: []process.Dependency{
				{Unit: "db", Condition: process.ConditionReady},
				{Unit: "migrate", Condition: process.ConditionSucceeded},
			},
		},
	}
}

func run(out io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := &logger{out: out, start: time.Now()}

	c := core.New(core.WithService(process.Register))
	if r := c.ServiceStartup(ctx, nil); !r.OK {
		return fmt.Errorf("start the Core: %v", r.Value)
	}
	// Shutting down downs every unit, in reverse dependency order.
	defer c.ServiceShutdown(context.Background())
	svc, ok := core.ServiceFor[*process.Service](c, "process")
	if !ok {
		return errors.New(`no *process.Service registered as "process"`)
	}

	// Every state change of every unit, in the order they happen. The
	// handler only prints and hands the event on; it never waits.
	changes := make(chan process.ActionUnitChanged, 256)
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if e, ok := msg.(process.ActionUnitChanged); ok {
			log.change(e)
			select {
			case changes <- e:
			default:
			}
		}
		return core.Result{OK: true}
	})

	log.step("Up: db, migrate and web; web waits for db to be ready and migrate to succeed")
	upCtx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := svc.Up(upCtx, specs(log)...); err != nil {
		return err
	}
	log.table(svc.Units())

	web, err := svc.Unit("web")
	if err != nil {
		return err
	}
	// From outside the service, as an out-of-memory killer would: a
	// signal the unit manager did not send is a crash.
	log.step("Crash web: kill -KILL %d, from outside the service", web.PID)
	crashed, err := os.FindProcess(web.PID)
	if err != nil {
		return err
	}
	if err := crashed.Signal(os.Kill); err != nil {
		return err
	}
	for _, state := range []process.UnitState{process.UnitBackoff, process.UnitStarting, process.UnitReady} {
		if err := awaitChange(ctx, changes, "web", state); err != nil {
			return err
		}
	}
	if web, err = svc.Unit("web"); err != nil {
		return err
	}
	log.note("web is back: process %s (pid %d), restarts in a row: %d", web.ProcessID, web.PID, web.Restarts)

	log.step("Down: web first, then migrate and db")
	downCtx, cancelDown := context.WithTimeout(ctx, stepTimeout)
	defer cancelDown()
	if err := svc.Down(downCtx); err != nil {
		return err
	}
	log.table(svc.Units())
	return nil
}

// awaitChange waits until unit name enters state, skipping the changes
// before.
func awaitChange(ctx context.Context, changes <-chan process.ActionUnitChanged, name string, state process.UnitState) error {
	timeout := time.NewTimer(stepTimeout)
	defer timeout.Stop()
	for {
		select {
		case e := <-changes:
			if e.Name == name && e.State == state {
				return nil
			}
			if e.Name == name && e.State == process.UnitFailed {
				return fmt.Errorf("unit %s failed: %s", name, e.Error)
			}
		case <-timeout.C:
			return fmt.Errorf("unit %s not %s within %v", name, state, stepTimeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// logger prints the tour, the units' output and their state changes, one
// line at a time, with the time since the start.
type logger struct {
	mu    sync.Mutex
	out   io.Writer
	start time.Time
	steps int
}

func (l *logger) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.out, format, args...)
}

func (l *logger) since() string {
	return fmt.Sprintf("%6.3fs", time.Since(l.start).Seconds())
}

func (l *logger) step(format string, args ...any) {
	l.mu.Lock()
	l.steps++
	n := l.steps
	l.mu.Unlock()
	l.printf("\n%d. %s\n", n, fmt.Sprintf(format, args...))
}

func (l *logger) note(format string, args ...any) {
	l.printf("   %s\n", fmt.Sprintf(format, args...))
}

func (l *logger) line(unit, text string) {
	l.printf("   %s  %-8s| %s\n", l.since(), unit, text)
}

func (l *logger) change(e process.ActionUnitChanged) {
	detail := ""
	if e.Restarts > 0 {
		detail += fmt.Sprintf(" (restarts %d)", e.Restarts)
	}
	if e.Error != "" {
		detail += ": " + e.Error
	}
	l.printf("   %s  %-8s→ %s%s\n", l.since(), e.Name, e.State, detail)
}

func (l *logger) table(units []process.UnitInfo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := tabwriter.NewWriter(l.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "   UNIT\tSTATE\tRESTARTS\tPID\tEXIT")
	for _, u := range units {
		fmt.Fprintf(w, "   %s\t%s\t%d\t%d\t%d\n", u.Name, u.State, u.Restarts, u.PID, u.ExitCode)
	}
	w.Flush()
}
