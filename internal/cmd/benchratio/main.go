// Command benchratio runs the process service's benchmarks next to raw
// os/exec and prints the medians, the ratios and whether each meets its
// target (docs/architecture.md, "Performance"):
//
//	go run ./internal/cmd/benchratio [-count 3] [-benchtime 1s] [-v]
//
// It runs, in the repository root,
//
//	go test -run '^$' -bench '^Benchmark(Spawn|SpawnParallel|Stream|Dispatch|Idle)$' -count N -benchmem
//	go test -run '^$' -bench '^BenchmarkKillTree$' -count N -benchmem
//
// KillTree runs in a test binary of its own: its group-mode half makes the
// program a subreaper for the rest of its life, which the others, in the
// default (cgroup) mode, would otherwise pay for.
//
// A missed target is reported, not an error: the exit code is 0 unless the
// benchmarks failed to run or gave no result.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const modulePath = "dappco.re/go/core/process"

// benchPatterns are the benchmarks, each pattern run by a go test of its
// own.
var benchPatterns = []string{
	"^Benchmark(Spawn|SpawnParallel|Stream|Dispatch|Idle)$",
	"^BenchmarkKillTree$",
}

func main() {
	count := flag.Int("count", 3, "runs of each benchmark (the report shows medians)")
	benchtime := flag.String("benchtime", "", "go test -benchtime (empty: the go test default)")
	verbose := flag.Bool("v", false, "echo the go test output to stderr")
	flag.Parse()
	if err := run(*count, *benchtime, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
}

func run(count int, benchtime string, verbose bool) error {
	if count < 1 {
		return errors.New("-count must be at least 1")
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	var out bytes.Buffer
	for _, pattern := range benchPatterns {
		if err := goTest(root, pattern, count, benchtime, verbose, &out); err != nil {
			return err
		}
	}
	res, err := parse(bytes.NewReader(out.Bytes()))
	if err != nil {
		return err
	}
	rows, err := evaluate(res)
	if err != nil {
		return err
	}
	header := fmt.Sprintf("-count %d", count)
	if cpu := firstLine(out.Bytes(), "cpu:"); cpu != "" {
		header = cpu + ", " + header
	}
	fmt.Println(header)
	return write(os.Stdout, rows)
}

// goTest runs the benchmarks that match pattern and appends their output
// to out.
func goTest(root, pattern string, count int, benchtime string, verbose bool, out *bytes.Buffer) error {
	args := []string{"test", "-run", "^$", "-bench", pattern, "-count", fmt.Sprint(count), "-benchmem"}
	if benchtime != "" {
		args = append(args, "-benchtime", benchtime)
	}
	fmt.Fprintf(os.Stderr, "benchratio: in %s: go %s\n", root, strings.Join(args, " "))
	var run bytes.Buffer
	var sink io.Writer = &run
	if verbose {
		sink = io.MultiWriter(&run, os.Stderr)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Stdout = sink
	cmd.Stderr = sink
	err := cmd.Run()
	out.Write(run.Bytes())
	if err != nil {
		if !verbose {
			os.Stderr.Write(run.Bytes())
		}
		return fmt.Errorf("go test -bench %s: %w", pattern, err)
	}
	return nil
}

// moduleRoot finds the directory of this module's go.mod, walking up from
// the current directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modulePathOf(data) == modulePath {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s in the current directory or above", modulePath)
		}
		dir = parent
	}
}

// modulePathOf returns the module path declared in go.mod data.
func modulePathOf(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// firstLine returns the first line of out that starts with prefix, or "".
func firstLine(out []byte, prefix string) string {
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, prefix) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}
