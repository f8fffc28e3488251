package process

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of issue #3, behaviour 7: output capture and line events.

// i3Seq returns what `seq 1 n` prints.
func i3Seq(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// i3CheckExitLast asserts that the events of id end with its
// ActionProcessExited, after every ActionProcessOutput.
func i3CheckExitLast(t *testing.T, rec *recorder, id string) {
	t.Helper()
	i3Exited(t, rec, id)
	events := rec.forID(id)
	require.NotEmpty(t, events)
	assert.IsType(t, ActionProcessStarted{}, events[0], "the started event comes first")
	assert.IsType(t, ActionProcessExited{}, events[len(events)-1], "the exit event comes last")
	exits := 0
	for _, m := range events {
		if _, ok := m.(ActionProcessExited); ok {
			exits++
		}
	}
	assert.Equal(t, 1, exits, "exactly one exit event")
}

func TestProcess_Output_BufferSizeKeepsTail(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{BufferSize: 1024})
	want := i3Seq(20000) // about 106 KiB
	require.Greater(t, len(want), 100<<10)

	p := startProcess(t, svc, RunOptions{Command: "seq", Args: []string{"1", "20000"}})
	waitDone(t, p, i3Watchdog)
	require.NoError(t, p.Wait())

	got := p.Output()
	assert.Len(t, got, 1024)
	assert.Equal(t, want[len(want)-1024:], got, "Output keeps the last BufferSize bytes")
	out, err := svc.Output(p.ID)
	require.NoError(t, err)
	assert.Equal(t, got, out)

	p.mu.Lock()
	allocated := p.capture.Cap()
	p.mu.Unlock()
	assert.LessOrEqual(t, allocated, 1024, "the capture never holds more than BufferSize")
}

func TestService_Run_ExitErrorCarriesCompleteOutput(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{BufferSize: 16})
	r := svc.Run(context.Background(), "sh", "-c", "echo 0123456789; echo abcdefghij; exit 1")
	var exitErr *ExitError
	require.ErrorAs(t, i3Err(t, r), &exitErr)
	assert.Equal(t, "0123456789\nabcdefghij\n", exitErr.Output, "Run is not bounded by BufferSize")
}

func TestProcess_Output_RingAllocatedLazily(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{}) // 1 MiB bound
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})

	p.mu.Lock()
	require.NotNil(t, p.capture)
	idle := p.capture.Cap()
	p.mu.Unlock()
	assert.Zero(t, idle, "an idle process allocates no capture buffer")

	small := startProcess(t, svc, RunOptions{Command: "echo", Args: []string{"hi"}})
	waitDone(t, small, i3Watchdog)
	small.mu.Lock()
	grown := small.capture.Cap()
	small.mu.Unlock()
	assert.Positive(t, grown)
	assert.Less(t, grown, DefaultBufferSize, "a little output allocates a little buffer")

	require.NoError(t, p.Kill())
	waitDone(t, p, i3Watchdog)
}

func TestProcess_OutputEvents_InOrderBeforeExit(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{Command: "seq", Args: []string{"1", "5000"}})
	waitDone(t, p, i3Watchdog)

	want := strings.Split(strings.TrimSuffix(i3Seq(5000), "\n"), "\n")
	assert.Equal(t, want, rec.lines(p.ID), "every line, in order")
	for _, m := range rec.forID(p.ID) {
		if e, ok := m.(ActionProcessOutput); ok {
			assert.Equal(t, StreamStdout, e.Stream)
		}
	}
	i3CheckExitLast(t, rec, p.ID)
}

func TestProcess_OutputEvents_LineEndings(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)

	cases := []struct {
		name   string
		script string
		want   []string
	}{
		{"LF", `printf 'a\nb\n'`, []string{"a", "b"}},
		{"CRLF", `printf 'a\r\nb\r\n'`, []string{"a", "b"}},
		{"Mixed", `printf 'a\r\nb\nc\r\n\nlast'`, []string{"a", "b", "c", "", "last"}},
		{"FinalLineWithoutNewline", `printf 'no newline'`, []string{"no newline"}},
		{"CRLFSplitAcrossWrites", `printf 'a\r'; sleep 0.05; printf '\nb\n'`, []string{"a", "b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", tc.script}})
			waitDone(t, p, i3Watchdog)
			assert.Equal(t, tc.want, rec.lines(p.ID))
			for _, line := range rec.lines(p.ID) {
				assert.NotContains(t, line, "\r")
				assert.NotContains(t, line, "\n")
			}
			i3CheckExitLast(t, rec, p.ID)
		})
	}
}

func TestProcess_OutputEvents_StreamLabels(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{
		Command: "sh", Args: []string{"-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2"},
	})
	waitDone(t, p, i3Watchdog)

	byStream := map[Stream][]string{}
	for _, m := range rec.forID(p.ID) {
		if e, ok := m.(ActionProcessOutput); ok {
			byStream[e.Stream] = append(byStream[e.Stream], e.Line)
		}
	}
	assert.Equal(t, map[Stream][]string{
		StreamStdout: {"out1", "out2"},
		StreamStderr: {"err1", "err2"},
	}, byStream, "each stream in its own order, labelled")
	i3CheckExitLast(t, rec, p.ID)
}

func TestProcess_OutputEvents_DisableCaptureStillBroadcasts(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{Command: "echo", Args: []string{"hello"}, DisableCapture: true})
	waitDone(t, p, i3Watchdog)

	assert.Equal(t, "", p.Output())
	assert.Equal(t, []string{"hello"}, rec.lines(p.ID))
}

func TestProcess_OutputEvents_HugeLineDoesNotStall(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	const size = 3 << 20
	p := startProcess(t, svc, RunOptions{
		Command: "sh", Args: []string{"-c", "head -c 3145728 /dev/zero | tr '\\0' x"},
	})
	waitDone(t, p, 4*i3Watchdog)
	require.NoError(t, p.Wait())

	lines := rec.lines(p.ID)
	total := 0
	for i, line := range lines {
		total += len(line)
		assert.LessOrEqual(t, len(line), 64<<10, "chunk %d exceeds 64 KiB", i)
		if strings.Trim(line, "x") != "" {
			t.Fatalf("chunk %d holds something other than x", i)
		}
	}
	assert.Equal(t, size, total, "the chunks add up to the whole line")
	assert.Equal(t, size/(64<<10), len(lines), "64 KiB chunks")

	out := p.Output()
	assert.Len(t, out, DefaultBufferSize, "Output keeps the last BufferSize bytes")
	assert.Equal(t, strings.Repeat("x", DefaultBufferSize), out)
	i3CheckExitLast(t, rec, p.ID)
}

func TestProcess_OutputEvents_CarriageReturnProgress(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{BufferSize: 4096})
	rec := newRecorder(c)
	const updates = 20000
	p := startProcess(t, svc, RunOptions{
		Command: "awk", Args: []string{`BEGIN { for (i = 1; i <= 20000; i++) printf "%d\r", i }`},
	})
	waitDone(t, p, 2*i3Watchdog)
	require.NoError(t, p.Wait())

	lines := rec.lines(p.ID)
	require.Len(t, lines, updates, "one event per \\r-terminated update")
	for i, line := range lines {
		if line != strconv.Itoa(i+1) {
			t.Fatalf("update %d is %q, want %q", i, line, strconv.Itoa(i+1))
		}
	}
	out := p.Output()
	assert.Len(t, out, 4096)
	assert.True(t, strings.HasSuffix(out, "19999\r20000\r"), "the capture keeps the raw bytes")
	i3CheckExitLast(t, rec, p.ID)
}

func TestProcess_OutputEvents_ManyLinesNoLoss(t *testing.T) {
	t.Parallel()
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	// Output written right before exit is not lost.
	p := startProcess(t, svc, RunOptions{Command: "seq", Args: []string{"1", "100000"}})
	waitDone(t, p, 2*i3Watchdog)

	lines := rec.lines(p.ID)
	require.Len(t, lines, 100000)
	assert.Equal(t, "1", lines[0])
	assert.Equal(t, "100000", lines[len(lines)-1])
	var joined bytes.Buffer
	for _, l := range lines {
		joined.WriteString(l)
		joined.WriteByte('\n')
	}
	assert.Equal(t, i3Seq(100000), joined.String())
	i3CheckExitLast(t, rec, p.ID)
}
