package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
)

// runApply is `apply -f FILE`: the file is validated whole, then its
// units are placed on the live nodes and each node's list written.
func runApply(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cf connFlags
	fs := newFlagSet("apply", stderr, &cf)
	file := fs.String("f", "cluster.yaml", "the cluster file")
	if _, ok := parse(fs, args, 0); !ok {
		return exitUsage
	}
	units, lines, err := loadConfig(*file)
	if err != nil {
		fmt.Fprintln(stderr, err)
		fmt.Fprintln(stderr, "goprocess-cluster apply: nothing written")
		return exitUsage
	}
	st, err := cf.open(ctx)
	if err != nil {
		return fail(stderr, "apply", err)
	}
	defer st.NC.Close()
	lists, err := st.Apply(ctx, units)
	var pe *cluster.PlacementError
	if errors.As(err, &pe) {
		line := lines[pe.Unit]
		if i := strings.LastIndex(pe.Unit, "-"); line == 0 && i > 0 {
			line = lines[pe.Unit[:i]] // a replica: the unit's line
		}
		fmt.Fprintf(stderr, "%s:%d: %v\n", *file, line, pe)
		fmt.Fprintln(stderr, "goprocess-cluster apply: nothing written")
		return exitFailed
	}
	if err != nil {
		return fail(stderr, "apply", err)
	}
	for _, node := range slices.Sorted(maps.Keys(lists)) {
		names := make([]string, len(lists[node]))
		for i, s := range lists[node] {
			names[i] = s.Name
		}
		fmt.Fprintf(stdout, "%s: %s\n", node, strings.Join(names, " "))
	}
	return exitOK
}

// runNodes is `nodes`: a line per node, alive or lost.
func runNodes(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cf connFlags
	if _, ok := parse(newFlagSet("nodes", stderr, &cf), args, 0); !ok {
		return exitUsage
	}
	st, err := cf.open(ctx)
	if err != nil {
		return fail(stderr, "nodes", err)
	}
	defer st.NC.Close()
	nodes, err := st.Nodes(ctx)
	if err != nil {
		return fail(stderr, "nodes", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, n := range nodes {
		state := "lost"
		if n.Alive {
			state = "alive"
		}
		var labels []string
		for _, k := range slices.Sorted(maps.Keys(n.Info.Labels)) {
			labels = append(labels, k+"="+n.Info.Labels[k])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n.Name, state, n.Info.Host, strings.Join(labels, ","))
	}
	_ = tw.Flush()
	return exitOK
}

// runPS is `ps`: a line per unit, NODE/UNIT, its state, PID and restarts.
func runPS(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cf connFlags
	if _, ok := parse(newFlagSet("ps", stderr, &cf), args, 0); !ok {
		return exitUsage
	}
	st, err := cf.open(ctx)
	if err != nil {
		return fail(stderr, "ps", err)
	}
	defer st.NC.Close()
	rows, err := st.PS(ctx)
	if err != nil {
		return fail(stderr, "ps", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "%s/%s\t%s\t%d\t%d\n", r.Node, r.Unit, r.State, r.Info.PID, r.Info.Restarts)
	}
	_ = tw.Flush()
	return exitOK
}

// runLogs is `logs [-f] NODE/UNIT`.
func runLogs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cf connFlags
	fs := newFlagSet("logs", stderr, &cf)
	follow := fs.Bool("f", false, "follow: go on printing new lines until interrupted")
	rest, ok := parse(fs, args, 1)
	if !ok {
		return exitUsage
	}
	node, unit, err := nodeUnit(rest[0])
	if err != nil {
		return usageError(stderr, "logs", err)
	}
	st, err := cf.open(ctx)
	if err != nil {
		return fail(stderr, "logs", err)
	}
	defer st.NC.Close()
	if err := st.Logs(ctx, node, unit, *follow, stdout); err != nil {
		return fail(stderr, "logs", err)
	}
	return exitOK
}

// controlTimeout bounds a control request: the agent waits up to a
// minute for the unit to be ready or stopped.
const controlTimeout = 90 * time.Second

// controlCmd returns `restart|stop|start NODE/UNIT`.
func controlCmd(op string) func(context.Context, []string, io.Writer, io.Writer) int {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		var cf connFlags
		rest, ok := parse(newFlagSet(op, stderr, &cf), args, 1)
		if !ok {
			return exitUsage
		}
		node, unit, err := nodeUnit(rest[0])
		if err != nil {
			return usageError(stderr, op, err)
		}
		st, err := cf.open(ctx)
		if err != nil {
			return fail(stderr, op, err)
		}
		defer st.NC.Close()
		ctx, cancel := context.WithTimeout(ctx, controlTimeout)
		defer cancel()
		reply, err := st.Control(ctx, node, op, cluster.ControlRequest{Unit: unit})
		if err != nil {
			return fail(stderr, op, err)
		}
		var info process.UnitInfo
		if err := json.Unmarshal(reply, &info); err != nil {
			return fail(stderr, op, fmt.Errorf("reply of node %s: %w", node, err))
		}
		fmt.Fprintf(stdout, "%s/%s\t%s\t%d\n", node, info.Name, info.State, info.PID)
		return exitOK
	}
}

// runDown is `down`: every node's desired list is emptied.
func runDown(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cf connFlags
	if _, ok := parse(newFlagSet("down", stderr, &cf), args, 0); !ok {
		return exitUsage
	}
	st, err := cf.open(ctx)
	if err != nil {
		return fail(stderr, "down", err)
	}
	defer st.NC.Close()
	if err := st.Down(ctx); err != nil {
		return fail(stderr, "down", err)
	}
	return exitOK
}

// fail prints err for the command and returns exitFailed.
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "goprocess-cluster %s: %v\n", cmd, err)
	return exitFailed
}

// usageError prints err for the command and returns exitUsage.
func usageError(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "goprocess-cluster %s: %v\n", cmd, err)
	return exitUsage
}
