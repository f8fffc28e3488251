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
	"text/tabwriter"
	"time"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/api"
)

// clientContext is a context that ends on SIGINT or SIGTERM.
func clientContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// clientFailed prints err and returns exitFailed. No server answering is
// said plainly.
func clientFailed(stderr io.Writer, cmd, socket string, err error) int {
	if errors.Is(err, api.ErrNoServer) {
		fmt.Fprintf(stderr, "goprocess %s: no goprocess server answers on %s (is \"goprocess up\" running, with the same --socket?)\n", cmd, socket)
		return exitFailed
	}
	fmt.Fprintf(stderr, "goprocess %s: %v\n", cmd, err)
	return exitFailed
}

// cmdPs prints the units: NAME STATE RESTARTS PID UPTIME CPU ERROR.
func cmdPs(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("ps", "ps [--socket PATH]", stderr)
	sock := socketFlag(fs)
	if _, status, done := parseExactly(fs, args, stderr, 0); done {
		return status
	}
	path := socketPath(*sock)
	ctx, cancel := clientContext()
	defer cancel()
	c := api.NewClient(path)
	units, err := c.Units(ctx)
	if err != nil {
		return clientFailed(stderr, "ps", path, err)
	}
	procs, err := c.Processes(ctx)
	if err != nil {
		return clientFailed(stderr, "ps", path, err)
	}
	writeTable(stdout, units, procs, time.Now())
	return exitOK
}

// writeTable writes the ps table of units, with the uptime and CPU time of
// each unit's process found in procs, and each unit's error: why it
// failed or, while it starts, why it is not ready yet.
func writeTable(w io.Writer, units []process.UnitInfo, procs []process.ProcessInfo, now time.Time) {
	byID := make(map[string]process.ProcessInfo, len(procs))
	for _, p := range procs {
		byID[p.ID] = p
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tRESTARTS\tPID\tUPTIME\tCPU\tERROR")
	for _, u := range units {
		pid, uptime, cpu := "-", "-", "-"
		if p, ok := byID[u.ProcessID]; ok && u.ProcessID != "" {
			cpu = roundDuration(p.CPU)
			if p.Running {
				pid = fmt.Sprint(p.PID)
				uptime = roundDuration(now.Sub(p.StartedAt))
			}
		}
		errText := "-"
		if u.Error != "" {
			errText = strings.Join(strings.Fields(u.Error), " ") // one line
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", u.Name, u.State, u.Restarts, pid, uptime, cpu, errText)
	}
	tw.Flush()
}

// roundDuration shows d to a precision that suits its size.
func roundDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// cmdLogs prints a unit's kept lines, and with -f the new ones as they
// come, until interrupted or the server ends.
func cmdLogs(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("logs", "logs [-f] [--socket PATH] NAME", stderr)
	sock := socketFlag(fs)
	follow := fs.Bool("f", false, "follow: print new lines as they come")
	pos, status, done := parseExactly(fs, args, stderr, 1)
	if done {
		return status
	}
	path := socketPath(*sock)
	ctx, cancel := clientContext()
	defer cancel()
	c := api.NewClient(path)
	if !*follow {
		lines, err := c.Logs(ctx, pos[0])
		if err != nil {
			return clientFailed(stderr, "logs", path, err)
		}
		for _, l := range lines {
			fmt.Fprintln(stdout, l.Line)
		}
		return exitOK
	}
	err := c.FollowLogs(ctx, pos[0], func(l api.LogLine) { fmt.Fprintln(stdout, l.Line) })
	if err != nil && !errors.Is(err, context.Canceled) {
		return clientFailed(stderr, "logs", path, err)
	}
	return exitOK
}

// cmdUnit starts, stops or restarts a unit and prints its state after.
func cmdUnit(verb string, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(verb, verb+" [--socket PATH] NAME", stderr)
	sock := socketFlag(fs)
	pos, status, done := parseExactly(fs, args, stderr, 1)
	if done {
		return status
	}
	path := socketPath(*sock)
	ctx, cancel := clientContext()
	defer cancel()
	c := api.NewClient(path)
	call := map[string]func(context.Context, string) (process.UnitInfo, error){
		"start": c.StartUnit, "stop": c.StopUnit, "restart": c.RestartUnit,
	}[verb]
	u, err := call(ctx, pos[0])
	if err != nil {
		return clientFailed(stderr, verb, path, err)
	}
	line := fmt.Sprintf("%s: %s", u.Name, u.State)
	if u.PID > 0 && u.State != process.UnitStopped {
		line += fmt.Sprintf(" (pid %d)", u.PID)
	}
	if u.Error != "" {
		line += ": " + u.Error
	}
	fmt.Fprintln(stdout, line)
	return exitOK
}

// cmdDown stops every unit; the server then exits.
func cmdDown(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("down", "down [--socket PATH]", stderr)
	sock := socketFlag(fs)
	if _, status, done := parseExactly(fs, args, stderr, 0); done {
		return status
	}
	path := socketPath(*sock)
	ctx, cancel := clientContext()
	defer cancel()
	if err := api.NewClient(path).Down(ctx); err != nil {
		return clientFailed(stderr, "down", path, err)
	}
	fmt.Fprintln(stdout, "every unit stopped")
	return exitOK
}
