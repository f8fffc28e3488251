package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/api"
)

// lsAskTimeout bounds asking one manager for its units.
const lsAskTimeout = 3 * time.Second

// cmdLs prints the running managers from the daemon registry: PROJECT
// SOCKET PID UPTIME UNITS, where UNITS is how many units are up (ready)
// of how many, asked over each manager's socket ("?" when it does not
// answer).
func cmdLs(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("ls", "ls", stderr)
	if _, status, done := parseExactly(fs, args, stderr, 0); done {
		return status
	}
	entries, err := daemonRegistry().List()
	if err != nil {
		fmt.Fprintf(stderr, "goprocess ls: %v\n", err)
		return exitFailed
	}
	ctx, cancel := clientContext()
	defer cancel()
	writeManagers(ctx, stdout, entries, time.Now())
	return exitOK
}

// writeManagers writes the table of the goprocess entries among entries.
func writeManagers(ctx context.Context, w io.Writer, entries []process.DaemonEntry, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tSOCKET\tPID\tUPTIME\tUNITS")
	for _, e := range entries {
		if e.Code != registryCode {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", e.Project, e.Health, e.PID, roundDuration(now.Sub(e.Started)), unitsUp(ctx, e.Health))
	}
	tw.Flush()
}

// unitsUp asks the manager on socket how many of its units are ready:
// "ready/total", or "?" when it does not answer.
func unitsUp(ctx context.Context, socket string) string {
	ctx, cancel := context.WithTimeout(ctx, lsAskTimeout)
	defer cancel()
	units, err := api.NewClient(socket).Units(ctx)
	if err != nil {
		return "?"
	}
	ready := 0
	for _, u := range units {
		if u.State == process.UnitReady {
			ready++
		}
	}
	return fmt.Sprintf("%d/%d", ready, len(units))
}
