package process

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"dappco.re/go/core/process/internal/output"
)

// Benchmarks of the service against raw os/exec, measured side by side in
// the same run (the absolute figures of a shared machine mean little; the
// ratios do). `go run ./internal/cmd/benchratio` runs them and prints the
// ratios against the targets in docs/architecture.md ("Performance"):
//
//	go test -run '^$' -bench '^Benchmark(Spawn|Stream|Dispatch|Idle)$' -count 3 -benchmem
//
// No benchmark asserts on time. Every process a benchmark starts is
// stopped, and checked for, by PID.

// benchCore returns a started Core with the process service (default
// options) and the service. Cleanup shuts the Core down, which stops every
// process still running.
func benchCore(b *testing.B) (*core.Core, *Service) {
	b.Helper()
	return benchCoreWith(b, Options{})
}

// benchCoreWith is benchCore with the service's options.
func benchCoreWith(b *testing.B, opts Options) (*core.Core, *Service) {
	b.Helper()
	c := core.New(core.WithService(NewService(opts)))
	svc, ok := core.ServiceFor[*Service](c, "process")
	if !ok {
		b.Fatal("process service not registered")
	}
	if r := c.ServiceStartup(context.Background(), nil); !r.OK {
		b.Fatalf("startup: %v", r.Value)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c.ServiceShutdown(ctx)
	})
	return c, svc
}

// BenchmarkSpawn: one op starts /bin/true and waits for it. Both sides
// report the CPU time this program spent per op (cpu-ms/op).
func BenchmarkSpawn(b *testing.B) {
	const bin = "/bin/true"
	b.Run("raw", func(b *testing.B) {
		defer reportOwnCPU(b)()
		for b.Loop() {
			if err := exec.Command(bin).Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("process", func(b *testing.B) {
		c, _ := benchCore(b)
		ctx := context.Background()
		defer reportOwnCPU(b)()
		for b.Loop() {
			if r := c.Process().Run(ctx, bin); !r.OK {
				b.Fatal(r.Value)
			}
		}
	})
}

// Stream workload: 64 MiB of 72-byte lines (71 characters and '\n') on
// stdout. head cuts the last line short, so the line count is rounded up.
const (
	streamBytes = 64 << 20
	streamLine  = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:;,+*=" // 71 characters
	streamLines = (streamBytes + len(streamLine)) / (len(streamLine) + 1)
)

// streamCommand is the child both sides of BenchmarkStream run.
func streamCommand() (string, []string) {
	return "/bin/sh", []string{"-c", "yes '" + streamLine + "' | head -c " + strconv.Itoa(streamBytes)}
}

// BenchmarkStream: one op is a child writing 64 MiB of lines to stdout and
// exiting. raw drains the pipe into io.Discard; process captures the
// output and broadcasts each line to one ActionProcessOutput listener;
// raw-strings is raw that also makes each line a string, the bound for
// process; capture only captures, with no line events. All four report the
// CPU time this program spent per op (cpu-ms/op).
func BenchmarkStream(b *testing.B) {
	if len(streamLine) != 71 {
		b.Fatalf("stream line is %d characters, want 71", len(streamLine))
	}
	name, args := streamCommand()
	b.Run("raw", func(b *testing.B) {
		b.SetBytes(streamBytes)
		defer reportOwnCPU(b)()
		for b.Loop() {
			rawStream(b, name, args, func(stdout io.Reader) error {
				n, err := io.Copy(io.Discard, stdout)
				if err == nil && n != streamBytes {
					err = fmt.Errorf("read %d bytes, want %d", n, streamBytes)
				}
				return err
			})
		}
	})
	b.Run("process", func(b *testing.B) {
		c, svc := benchCore(b)
		var lines atomic.Int64
		c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
			if _, ok := msg.(ActionProcessOutput); ok {
				lines.Add(1)
			}
			return core.Result{OK: true}
		})
		ctx := context.Background()
		opts := RunOptions{Command: name, Args: args}
		checked := false
		b.SetBytes(streamBytes)
		defer reportOwnCPU(b)()
		for b.Loop() {
			lines.Store(0)
			r := svc.StartWithOptions(ctx, opts)
			if !r.OK {
				b.Fatal(r.Value)
			}
			p := r.Value.(*Process)
			if err := p.Wait(); err != nil {
				b.Fatal(err)
			}
			// All output events precede the end, so the count is final.
			if n, want := lines.Load(), int64(streamLines); n != want {
				b.Fatalf("listener saw %d lines, want %d", n, want)
			}
			if !checked {
				checked = true
				if out, want := p.Output(), streamTail(DefaultBufferSize); out != want {
					b.Fatalf("captured %d bytes, not the last %d of the stream", len(out), len(want))
				}
			}
		}
	})
	b.Run("raw-strings", func(b *testing.B) {
		// The least that any line API must add to raw: the same drain,
		// with each line split off and made a string (packed, as the
		// service makes them), and nothing else. The ratio of this to raw
		// bounds what "process" can reach.
		b.SetBytes(streamBytes)
		defer reportOwnCPU(b)()
		for b.Loop() {
			rawStream(b, name, args, func(stdout io.Reader) error {
				n, err := stringLines(stdout)
				if err == nil && n != streamLines {
					err = fmt.Errorf("made %d lines, want %d", n, streamLines)
				}
				return err
			})
		}
	})
	b.Run("capture", func(b *testing.B) {
		// Nobody receives lines (Options.DisableOutputEvents, no OnOutput):
		// the output is only captured.
		_, svc := benchCoreWith(b, Options{DisableOutputEvents: true})
		ctx := context.Background()
		opts := RunOptions{Command: name, Args: args}
		b.SetBytes(streamBytes)
		defer reportOwnCPU(b)()
		for b.Loop() {
			r := svc.StartWithOptions(ctx, opts)
			if !r.OK {
				b.Fatal(r.Value)
			}
			p := r.Value.(*Process)
			if err := p.Wait(); err != nil {
				b.Fatal(err)
			}
			if out := p.Output(); len(out) != DefaultBufferSize {
				b.Fatalf("captured %d bytes, want the last %d", len(out), DefaultBufferSize)
			}
		}
	})
}

// rawStream runs the stream command with os/exec and hands its stdout to
// drain.
func rawStream(b *testing.B, name string, args []string, drain func(stdout io.Reader) error) {
	cmd := exec.Command(name, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	drainErr := drain(stdout)
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
	if drainErr != nil {
		b.Fatal(drainErr)
	}
}

// lineSink keeps the last line stringLines made, so that making it cannot
// be optimised away.
var lineSink string

// stringLines reads r to its end, makes a string of every line, and
// returns how many lines it made.
func stringLines(r io.Reader) (int, error) {
	var (
		lines output.Lines
		pack  output.Packer
		n     int
	)
	emit := func(line []byte) {
		lineSink = pack.String(line)
		n++
	}
	buf := make([]byte, 64<<10)
	for {
		k, err := r.Read(buf)
		pack.Start(k)
		lines.Feed(buf[:k], emit)
		pack.Stop()
		if err == io.EOF {
			lines.Flush(emit)
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// reportOwnCPU starts counting the CPU time this program (not its
// children) spends; the function it returns reports it per op as
// cpu-ms/op. On a busy machine it says more about the cost of reading a
// stream than the elapsed time does.
func reportOwnCPU(b *testing.B) func() {
	start := ownCPU()
	return func() {
		b.ReportMetric(float64(ownCPU()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

// ownCPU is the user and system time this program has used so far.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// streamTail returns the last n bytes of the stream the child writes.
func streamTail(n int) string {
	n = min(n, streamBytes)
	line := streamLine + "\n"
	var sb strings.Builder
	sb.Grow(n)
	for off := streamBytes - n; off < streamBytes; off++ {
		sb.WriteByte(line[off%len(line)])
	}
	return sb.String()
}

// BenchmarkDispatch: one op looks up and runs a named no-op action.
func BenchmarkDispatch(b *testing.B) {
	c := core.New()
	c.Action("bench.noop", func(context.Context, core.Options) core.Result {
		return core.Result{OK: true}
	})
	ctx := context.Background()
	opts := core.NewOptions(core.Option{Key: "k", Value: "v"})
	b.ReportAllocs()
	for b.Loop() {
		if r := c.Action("bench.noop").Run(ctx, opts); !r.OK {
			b.Fatal(r.Value)
		}
	}
}

// idleChildren is how many idle children BenchmarkIdle keeps running.
const idleChildren = 200

// BenchmarkIdle: one op starts idleChildren `sleep 300` children through the
// service, measures the Go heap they hold while all are running, then kills
// them and checks that none survives. It reports the heap growth per child
// as heap-B/proc and the descriptors the manager holds per child as
// fds/proc (means over the b.N ops). One op takes about as long as
// idleChildren spawns, so b.N stays small; -benchtime 1x runs it once.
func BenchmarkIdle(b *testing.B) {
	_, svc := benchCore(b)
	ctx := context.Background()
	var heap, fds float64
	for i := 0; i < b.N; i++ {
		h, f := idleRound(b, svc, ctx)
		heap += h
		fds += f
	}
	b.ReportMetric(heap/float64(b.N), "heap-B/proc")
	b.ReportMetric(fds/float64(b.N), "fds/proc")
}

// idleRound is one op of BenchmarkIdle; it returns the heap bytes and the
// descriptors the manager holds per child.
func idleRound(b *testing.B, svc *Service, ctx context.Context) (heap, fds float64) {
	b.StopTimer()
	svc.Clear() // finished processes of earlier rounds are not the baseline
	before := heapAfterGC()
	fdsBefore := openFDs(b)
	b.StartTimer()

	procs := make([]*Process, 0, idleChildren)
	pids := make([]int, 0, idleChildren)
	defer func() { killSurvivors(b, pids) }()
	for range idleChildren {
		r := svc.StartWithOptions(ctx, RunOptions{Command: "sleep", Args: []string{"300"}})
		if !r.OK {
			b.Fatalf("start sleep: %v", r.Value)
		}
		p := r.Value.(*Process)
		procs = append(procs, p)
		pids = append(pids, p.PID)
	}

	b.StopTimer()
	for _, p := range procs {
		if !p.IsRunning() {
			b.Fatalf("sleep %d (pid %d) is not running", p.PID, p.PID)
		}
	}
	after := heapAfterGC()
	fdsAfter := openFDs(b)
	runtime.KeepAlive(procs)
	b.StartTimer()

	for _, p := range procs {
		if err := p.Kill(); err != nil {
			b.Errorf("kill pid %d: %v", p.PID, err)
		}
	}
	deadline := time.After(30 * time.Second)
	for _, p := range procs {
		select {
		case <-p.Done():
		case <-deadline:
			b.Fatalf("pid %d did not end within 30s of SIGKILL", p.PID)
		}
	}
	return float64(int64(after)-int64(before)) / idleChildren, float64(fdsAfter-fdsBefore) / idleChildren
}

// heapAfterGC returns the live heap once the garbage collector has run.
func heapAfterGC() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC() // a second cycle also empties sync.Pool victim caches
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// killSurvivors SIGKILLs, by PID, every one of pids still alive, and fails
// the benchmark if there was any.
func killSurvivors(b *testing.B, pids []int) {
	var survivors []string
	for _, pid := range pids {
		if pidAlive(pid) {
			survivors = append(survivors, strconv.Itoa(pid))
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if len(survivors) > 0 {
		b.Errorf("%d children survived their kill: pids %s", len(survivors), strings.Join(survivors, " "))
	}
}
