package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// samples holds the values of one benchmark, by unit ("ns/op", "MB/s",
// "allocs/op", "heap-B/proc", …), one value per run.
type samples map[string][]float64

// parse reads `go test -bench` output and returns the samples of every
// benchmark, keyed by name without the -GOMAXPROCS suffix
// ("BenchmarkSpawn/raw"). Lines that are not result lines are ignored.
func parse(r io.Reader) (map[string]samples, error) {
	out := map[string]samples{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// name, iterations, then value-unit pairs.
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := trimProcs(f[0])
		if out[name] == nil {
			out[name] = samples{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q: %w", f[0], f[i], err)
			}
			out[name][f[i+1]] = append(out[name][f[i+1]], v)
		}
	}
	return out, sc.Err()
}

// trimProcs removes the "-N" GOMAXPROCS suffix from a benchmark name.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

// median returns the median of vs; ok is false when vs is empty.
func median(vs []float64) (m float64, ok bool) {
	if len(vs) == 0 {
		return 0, false
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

// Targets, as DESIGN §6 and docs/architecture.md ("Performance") set them.
const (
	spawnMaxRatio  = 1.10  // process/raw time, containment on
	parallelMin    = 0.95  // process/raw throughput, 64 goroutines starting at once
	streamMinRatio = 0.90  // process/raw throughput
	dispatchMaxNs  = 100.0 // ns/op
	dispatchAllocs = 0.0   // allocs/op
	idleMaxHeap    = 4096  // heap-B/proc
	idleMaxFDs     = 4.0   // fds/proc: descriptors the manager holds per idle child
	killTreeMaxMs  = 20.0  // ms from Kill until the whole tree is gone (median)
)

// row is one line of the report. An info row has no target: it shows a
// bound that explains another row.
type row struct {
	name, raw, process, ratio, target string
	pass, info                        bool
}

// evaluate computes the report rows from the parsed results. It fails when
// a benchmark or a value the report needs is missing.
func evaluate(res map[string]samples) ([]row, error) {
	var missing []string
	get := func(bench, unit string) float64 {
		m, ok := median(res[bench][unit])
		if !ok {
			missing = append(missing, bench+" "+unit)
		}
		return m
	}
	spawnRaw := get("BenchmarkSpawn/raw", "ns/op")
	spawnProc := get("BenchmarkSpawn/process", "ns/op")
	streamRaw := get("BenchmarkStream/raw", "MB/s")
	streamProc := get("BenchmarkStream/process", "MB/s")
	captureProc := get("BenchmarkStream/capture", "MB/s")
	stringsRaw := get("BenchmarkStream/raw-strings", "MB/s")
	dispatchNs := get("BenchmarkDispatch", "ns/op")
	dispatchA := get("BenchmarkDispatch", "allocs/op")
	idle := get("BenchmarkIdle", "heap-B/proc")
	idleFDs := get("BenchmarkIdle", "fds/proc")
	parallelRaw := get("BenchmarkSpawnParallel/raw", "ns/op")
	parallelProc := get("BenchmarkSpawnParallel/process", "ns/op")
	killCgroup := get("BenchmarkKillTree/cgroup", "ms/kill-tree")
	killGroup := get("BenchmarkKillTree/group", "ms/kill-tree")
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing results: %s", strings.Join(missing, ", "))
	}
	spawnRatio := spawnProc / spawnRaw
	streamRatio := streamProc / streamRaw
	captureRatio := captureProc / streamRaw
	stringsRatio := stringsRaw / streamRaw
	return []row{
		{"spawn", duration(spawnRaw), duration(spawnProc), ratio(spawnRatio),
			fmt.Sprintf("≤ %.2fx", spawnMaxRatio), spawnRatio <= spawnMaxRatio, false},
		{"spawn ×64 goroutines", duration(parallelRaw), duration(parallelProc), ratio(parallelRaw / parallelProc),
			fmt.Sprintf("≥ %.2fx throughput", parallelMin), parallelRaw/parallelProc >= parallelMin, false},
		{"stream", fmt.Sprintf("%.1f MB/s", streamRaw), fmt.Sprintf("%.1f MB/s", streamProc), ratio(streamRatio),
			fmt.Sprintf("≥ %.2fx", streamMinRatio), streamRatio >= streamMinRatio, false},
		{name: "stream, raw making line strings", raw: fmt.Sprintf("%.1f MB/s", streamRaw),
			process: fmt.Sprintf("%.1f MB/s (os/exec)", stringsRaw), ratio: ratio(stringsRatio),
			target: "bound for stream", info: true},
		{"stream, no line events", fmt.Sprintf("%.1f MB/s", streamRaw), fmt.Sprintf("%.1f MB/s", captureProc), ratio(captureRatio),
			fmt.Sprintf("≥ %.2fx", streamMinRatio), captureRatio >= streamMinRatio, false},
		{"dispatch", "", fmt.Sprintf("%.1f ns/op, %g allocs/op", dispatchNs, dispatchA), "",
			fmt.Sprintf("≤ %g ns, %g allocs", dispatchMaxNs, dispatchAllocs), dispatchNs <= dispatchMaxNs && dispatchA <= dispatchAllocs, false},
		{"idle", "", fmt.Sprintf("%.0f heap-B/proc, %.2f fds/proc", idle, idleFDs), "",
			fmt.Sprintf("≤ %d B, ≤ %g fds", idleMaxHeap, idleMaxFDs), idle <= idleMaxHeap && idleFDs <= idleMaxFDs, false},
		{"kill-tree (cgroup)", "", fmt.Sprintf("%.2f ms", killCgroup), "",
			fmt.Sprintf("≤ %g ms", killTreeMaxMs), killCgroup <= killTreeMaxMs, false},
		{"kill-tree (group)", "", fmt.Sprintf("%.2f ms", killGroup), "",
			fmt.Sprintf("≤ %g ms", killTreeMaxMs), killGroup <= killTreeMaxMs, false},
	}, nil
}

// duration formats nanoseconds per op for reading.
func duration(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms/op", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs/op", ns/1e3)
	}
	return fmt.Sprintf("%.1f ns/op", ns)
}

func ratio(r float64) string { return fmt.Sprintf("%.2fx", r) }

// write prints the rows as a table.
func write(w io.Writer, rows []row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\traw (median)\tprocess (median)\tratio\ttarget\tresult")
	for _, r := range rows {
		result := "MISS"
		switch {
		case r.info:
			result = "-"
		case r.pass:
			result = "PASS"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.name, dash(r.raw), r.process, dash(r.ratio), r.target, result)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
