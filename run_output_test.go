package process

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Run's value is the complete output, in the order written, unless the
// caller bounds it; Start keeps its streams apart and its bounded ring.

// bigJSON is a script printing a JSON array of n numbers, one per line:
// about 7 bytes a number.
func bigJSON(n string) []string {
	return []string{"-c", `echo '['; seq 1 ` + n + ` | sed 's/$/,/'; echo '0]'`}
}

func TestService_Run_ReturnsCompleteOutputBeyondBufferSize(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{}) // BufferSize: 1 MiB
	want := "[\n" + strings.ReplaceAll(i3Seq(450000), "\n", ",\n") + "0]\n"
	require.Greater(t, len(want), 3<<20, "more than three times BufferSize")

	runs := map[string]func() core.Result{
		"Service.Run": func() core.Result { return svc.Run(context.Background(), "sh", bigJSON("450000")...) },
		"Core.Process().Run": func() core.Result {
			return c.Process().Run(context.Background(), "sh", bigJSON("450000")...)
		},
		"process.run": func() core.Result {
			return c.Action("process.run").Run(context.Background(), i3Opts("command", "sh", "args", bigJSON("450000")))
		},
	}
	for name, run := range runs {
		r := i3Within(t, 6*i3Watchdog, name, run)
		require.True(t, r.OK, "%s: %v", name, r.Value)
		out := r.Value.(string)
		require.Len(t, out, len(want), "%s returns every byte", name)
		assert.True(t, out == want, "%s returns the output as written", name)
		var numbers []int
		assert.NoError(t, json.Unmarshal([]byte(out), &numbers), "%s: the output parses", name)
		assert.Len(t, numbers, 450001)
	}

	// The table keeps only BufferSize of each finished run.
	for _, p := range svc.List() {
		assert.LessOrEqual(t, len(p.Output()), DefaultBufferSize, "process %s", p.ID)
	}
}

func TestService_Run_OutputLimit_FailsWithErrOutputTruncated(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	want := i3Seq(10000)

	r := svc.RunWithOptions(context.Background(), RunOptions{Command: "seq", Args: []string{"1", "10000"}, OutputLimit: 1000})
	err := i3Err(t, r)
	assert.ErrorIs(t, err, ErrOutputTruncated)
	var truncated *OutputTruncatedError
	require.ErrorAs(t, err, &truncated)
	assert.Equal(t, 1000, truncated.Limit)
	assert.Equal(t, int64(len(want)), truncated.Written)
	assert.Equal(t, want[len(want)-1000:], truncated.Output, "the newest bytes are kept")
	assert.NoError(t, truncated.Err, "the process itself succeeded")
	assert.Contains(t, err.Error(), "over the limit of 1000")

	// Within the limit, nothing to report.
	r = svc.RunWithOptions(context.Background(), RunOptions{Command: "seq", Args: []string{"1", "3"}, OutputLimit: 6})
	require.True(t, r.OK, "%v", r.Value)
	assert.Equal(t, "1\n2\n3\n", r.Value)
}

func TestService_Run_OutputLimit_AlsoCarriesTheExitError(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	r := svc.RunWithOptions(context.Background(), RunOptions{
		Command: "sh", Args: []string{"-c", "seq 1 1000; exit 3"}, OutputLimit: 10,
	})
	err := i3Err(t, r)
	assert.ErrorIs(t, err, ErrOutputTruncated)
	var exitErr *ExitError
	require.ErrorAs(t, err, &exitErr, "the exit is still there to find")
	assert.Equal(t, 3, exitErr.Code)
	assert.Contains(t, err.Error(), "exited with status 3")
}

func TestHandlers_Run_OutputLimit(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})
	r := i3Run(t, c, "process.run", i3Opts("command", "seq", "args", []string{"1", "100"}, "outputLimit", 4))
	err := i3Err(t, r)
	var truncated *OutputTruncatedError
	require.ErrorAs(t, err, &truncated)
	assert.Equal(t, "100\n", truncated.Output)

	err = i3Err(t, i3Run(t, c, "process.run", i3Opts("command", "seq", "args", []string{"1"}, "outputLimit", -1)))
	assert.Contains(t, err.Error(), `process.run: option "outputLimit"`)
	err = i3Err(t, i3Run(t, c, "process.run", i3Opts("command", "seq", "args", []string{"1"}, "outputLimit", "1MB")))
	assert.Contains(t, err.Error(), `process.run: option "outputLimit"`)
}

func TestService_Start_OutputLimit_SizesTheRing(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "seq", Args: []string{"1", "1000"}, OutputLimit: 9})
	waitDone(t, p, i3Watchdog)
	assert.NoError(t, p.Wait(), "a started process's bound is not an error")
	assert.Equal(t, "999\n1000\n", p.Output())
}

// interleave is a script writing to stdout and stderr in turn.
const interleave = `for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done`

const interleaved = "out1\nerr1\nout2\nerr2\nout3\nerr3\nout4\nerr4\nout5\nerr5\n"

func TestService_Run_KeepsWriteOrderAcrossStreams(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	for i := range 20 {
		r := svc.Run(context.Background(), "sh", "-c", interleave)
		require.True(t, r.OK, "run %d: %v", i, r.Value)
		require.Equal(t, interleaved, r.Value, "run %d", i)

		r = c.Process().Run(context.Background(), "sh", "-c", interleave)
		require.True(t, r.OK, "run %d: %v", i, r.Value)
		require.Equal(t, interleaved, r.Value, "run %d through the Core", i)
	}
}

func TestService_Run_ExitErrorOutputInWriteOrder(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	r := svc.Run(context.Background(), "sh", "-c", interleave+"; exit 2")
	var exitErr *ExitError
	require.ErrorAs(t, i3Err(t, r), &exitErr)
	assert.Equal(t, interleaved, exitErr.Output)
}

func TestService_Start_KeepsStreamsApart(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	var stdout, stderr syncBuffer
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", interleave}, Stdout: &stdout, Stderr: &stderr})
	require.NoError(t, p.Wait())
	assert.Equal(t, "out1\nout2\nout3\nout4\nout5\n", stdout.String())
	assert.Equal(t, "err1\nerr2\nerr3\nerr4\nerr5\n", stderr.String())
	assert.Len(t, p.Output(), len(interleaved), "the capture holds both")
}

func TestService_Run_StdoutWriterGetsTheCombinedStream(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	var out syncBuffer
	r := svc.RunWithOptions(context.Background(), RunOptions{Command: "sh", Args: []string{"-c", interleave}, Stdout: &out})
	require.True(t, r.OK, "%v", r.Value)
	assert.Equal(t, interleaved, out.String(), "one pipe, as 2>&1: Stdout gets everything, in order")
	assert.Equal(t, interleaved, r.Value)

	id := svc.List()[0].ID
	for _, m := range rec.forID(id) {
		if e, ok := m.(ActionProcessOutput); ok {
			assert.Equal(t, StreamStdout, e.Stream, "line %q", e.Line)
		}
	}
}

func TestService_Run_SameWriterForBoth_OnePipe(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	var out syncBuffer
	r := svc.RunWithOptions(context.Background(), RunOptions{Command: "sh", Args: []string{"-c", interleave}, Stdout: &out, Stderr: &out})
	require.True(t, r.OK, "%v", r.Value)
	assert.Equal(t, interleaved, out.String(), "each byte once, in order")
}

func TestService_Run_SeparateStderrWriter_KeepsTwoPipes(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	var stdout, stderr syncBuffer
	r := svc.RunWithOptions(context.Background(), RunOptions{
		Command: "sh", Args: []string{"-c", interleave}, Stdout: &stdout, Stderr: &stderr,
	})
	require.True(t, r.OK, "%v", r.Value)
	assert.Equal(t, "out1\nout2\nout3\nout4\nout5\n", stdout.String())
	assert.Equal(t, "err1\nerr2\nerr3\nerr4\nerr5\n", stderr.String())
	assert.Len(t, r.Value, len(interleaved), "the value still holds both")

	stderr.Reset()
	r = svc.RunWithOptions(context.Background(), RunOptions{Command: "sh", Args: []string{"-c", interleave}, Stderr: &stderr})
	require.True(t, r.OK, "%v", r.Value)
	assert.Equal(t, "err1\nerr2\nerr3\nerr4\nerr5\n", stderr.String(), "Stderr alone also keeps two pipes")
}

func TestService_Start_StdoutReceivesBytesAsTheyArrive(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	out := &syncBuffer{wrote: make(chan struct{}, 16)}
	p := startProcess(t, svc, RunOptions{
		Command: "sh", Args: []string{"-c", "echo first; read line; echo second $line"}, Stdout: out,
	})
	// "first" arrives while the child is still waiting for input.
	for out.String() != "first\n" {
		select {
		case <-out.wrote:
		case <-p.Done():
			t.Fatalf("the process ended before its input: %q", out.String())
		case <-time.After(i3Watchdog):
			t.Fatalf("the first line did not arrive; got %q", out.String())
		}
	}
	assert.True(t, p.IsRunning())
	require.NoError(t, p.SendInput("x\n"))
	require.NoError(t, p.Wait())
	assert.Equal(t, "first\nsecond x\n", out.String(), "everything, by the time Wait returns")
}

func TestService_OnOutput_OnlyThisProcess_FromTheFirstLine(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	collect := func() (*[]ActionProcessOutput, func(ActionProcessOutput)) {
		var lines []ActionProcessOutput
		return &lines, func(e ActionProcessOutput) { lines = append(lines, e) } // one goroutine at a time
	}
	linesA, onA := collect()
	linesB, onB := collect()
	a := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "echo a1; echo a2 >&2; echo a3"}, OnOutput: onA})
	b := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "echo b1; echo b2"}, OnOutput: onB})
	require.NoError(t, a.Wait())
	require.NoError(t, b.Wait())

	// Every line is there once Wait has returned: no waiting for more.
	var gotA []string
	for _, e := range *linesA {
		assert.Equal(t, a.ID, e.ID)
		gotA = append(gotA, e.Line)
		if e.Line == "a2" {
			assert.Equal(t, StreamStderr, e.Stream)
		}
	}
	assert.ElementsMatch(t, []string{"a1", "a2", "a3"}, gotA, "the first line is not missed")
	require.Len(t, *linesB, 2)
	assert.Equal(t, ActionProcessOutput{ID: b.ID, Line: "b1", Stream: StreamStdout}, (*linesB)[0])
	assert.Equal(t, ActionProcessOutput{ID: b.ID, Line: "b2", Stream: StreamStdout}, (*linesB)[1])
}

func TestService_Run_OnOutput_BeforeRunReturns_InOrder(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	var lines []string
	r := svc.RunWithOptions(context.Background(), RunOptions{
		Command: "sh", Args: []string{"-c", interleave + "; printf tail"},
		OnOutput: func(e ActionProcessOutput) { lines = append(lines, e.Line) },
	})
	require.True(t, r.OK, "%v", r.Value)
	assert.Equal(t, []string{"out1", "err1", "out2", "err2", "out3", "err3", "out4", "err4", "out5", "err5", "tail"}, lines)
}

func TestService_OnOutput_PanicIsRecovered(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	var lines []string
	r := svc.RunWithOptions(context.Background(), RunOptions{
		Command: "printf", Args: []string{`one\ntwo\nthree\n`},
		OnOutput: func(e ActionProcessOutput) {
			lines = append(lines, e.Line)
			if e.Line == "two" {
				panic("callback bug")
			}
		},
	})
	require.True(t, r.OK, "%v", r.Value)
	assert.Equal(t, "one\ntwo\nthree\n", r.Value)
	assert.Equal(t, []string{"one", "two", "three"}, lines, "later lines still arrive")
}

// failingWriter accepts n writes, then fails.
type failingWriter struct {
	n   int
	err error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, w.err
	}
	w.n--
	return len(p), nil
}

func TestService_WriterError_ReportedByRunAndWait(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	broken := errors.New("disk full")

	r := svc.RunWithOptions(context.Background(), RunOptions{Command: "echo", Args: []string{"hi"}, Stdout: &failingWriter{err: broken}})
	err := i3Err(t, r)
	assert.ErrorIs(t, err, broken)
	assert.Contains(t, err.Error(), "stdout writer")

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "echo out; echo err >&2"}, Stderr: &failingWriter{err: broken}})
	err = p.Wait()
	assert.ErrorIs(t, err, broken)
	assert.Contains(t, err.Error(), "stderr writer")
	assert.Equal(t, StatusExited, p.Info().Status, "the process itself exited normally")

	// A failing process reports its exit, not the writer.
	r = svc.RunWithOptions(context.Background(), RunOptions{Command: "sh", Args: []string{"-c", "echo x; exit 4"}, Stdout: &failingWriter{err: broken}})
	var exitErr *ExitError
	require.ErrorAs(t, i3Err(t, r), &exitErr)
	assert.Equal(t, 4, exitErr.Code)
}

// Item 8 of issue 12: a child that traps SIGTERM and exits 0 is not
// reported as ended by the signal.
func TestExitError_TrappedTerm_SaysWhatHappened(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{
		Command: "sh", Args: []string{"-c", `trap "exit 0" TERM; echo ready; while :; do sleep 0.05; done`},
	})
	awaitReady(t, p)
	require.NoError(t, p.Shutdown())
	err := p.Wait()
	var exitErr *ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.Equal(t, "process stopped with SIGTERM; exited with status 0", err.Error())
	assert.Equal(t, 0, exitErr.Code)
	assert.Empty(t, exitErr.Signal)
}

// syncBuffer is a writer safe to read while the supervisor writes to it.
// When wrote is set, each write is signalled on it (without blocking).
type syncBuffer struct {
	mu    sync.Mutex
	buf   strings.Builder
	wrote chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	select {
	case b.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}
