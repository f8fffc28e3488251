package process

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestService_DisableOutputEvents_LinesGoOnlyToOnOutput checks that with
// Options.DisableOutputEvents no ActionProcessOutput is broadcast, while
// OnOutput still gets every line, the other events still arrive and the
// output is still captured whole.
func TestService_DisableOutputEvents_LinesGoOnlyToOnOutput(t *testing.T) {
	c, svc := newTestService(t, Options{DisableOutputEvents: true})
	rec := newRecorder(c)

	var mu sync.Mutex
	var seen []string
	r := svc.StartWithOptions(context.Background(), RunOptions{
		Command: "sh", Args: []string{"-c", "echo one; echo two >&2; printf three"},
		OnOutput: func(o ActionProcessOutput) {
			mu.Lock()
			seen = append(seen, string(o.Stream)+":"+o.Line)
			mu.Unlock()
		},
	})
	require.True(t, r.OK, "start: %v", r.Value)
	p := r.Value.(*Process)
	killOnCleanup(t, p.PID)
	require.NoError(t, p.Wait())

	mu.Lock()
	assert.ElementsMatch(t, []string{"stdout:one", "stderr:two", "stdout:three"}, seen)
	mu.Unlock()
	assert.Empty(t, rec.lines(p.ID), "output events broadcast")
	var kinds []string
	for _, m := range rec.forID(p.ID) {
		switch m.(type) {
		case ActionProcessStarted:
			kinds = append(kinds, "started")
		case ActionProcessExited:
			kinds = append(kinds, "exited")
		}
	}
	assert.Equal(t, []string{"started", "exited"}, kinds)
	out := p.Output()
	for _, want := range []string{"one\n", "two\n", "three"} {
		assert.True(t, strings.Contains(out, want), "output %q lacks %q", out, want)
	}
}

// TestService_DisableOutputEvents_WithoutOnOutput_CapturesAndCopiesAll
// checks the path that splits no lines: Run's value and Stdout get every
// byte, the last line without its newline included.
func TestService_DisableOutputEvents_WithoutOnOutput_CapturesAndCopiesAll(t *testing.T) {
	c, svc := newTestService(t, Options{DisableOutputEvents: true})
	rec := newRecorder(c)
	var copied strings.Builder
	r := svc.RunWithOptions(context.Background(), RunOptions{
		Command: "sh", Args: []string{"-c", "seq 1 5000; printf end"},
		Stdout: &copied,
	})
	require.True(t, r.OK, "run: %v", r.Value)
	var want strings.Builder
	for i := 1; i <= 5000; i++ {
		want.WriteString(strconv.Itoa(i) + "\n")
	}
	want.WriteString("end")
	assert.Equal(t, want.String(), r.Value.(string))
	assert.Equal(t, want.String(), copied.String())
	for _, m := range rec.messages() {
		_, isOutput := m.(ActionProcessOutput)
		assert.False(t, isOutput, "output event broadcast: %v", m)
	}
}
