package process

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 9, item 8: a Detach'ed process writes its output to a file, which
// it can go on writing after this program has gone (see
// TestService_ManagerKilled_NonDetachedChildDies_DetachedSurvives); while
// the service runs, that output is captured and delivered as usual.

func TestService_Detach_OutputGoesToItsFileAndIsStillDelivered(t *testing.T) {
	dir := t.TempDir()
	c, svc := newTestService(t, Options{OutputDir: dir})
	rec := newRecorder(c)

	p := startProcess(t, svc, RunOptions{
		Command: "sh",
		Args:    []string{"-c", "echo one; echo two >&2; printf three"},
		Detach:  true,
	})
	waitDone(t, p, 10*time.Second)

	info := p.Info()
	assert.Equal(t, filepath.Join(dir, p.ID+".log"), info.OutputFile)
	data, err := os.ReadFile(info.OutputFile)
	require.NoError(t, err)
	assert.Equal(t, "one\ntwo\nthree", string(data), "stdout and stderr in the order written")
	assert.Equal(t, "one\ntwo\nthree", p.Output())
	assert.Equal(t, []string{"one", "two", "three"}, rec.lines(p.ID))
	assert.NoError(t, p.Wait())
	i3CheckExitLast(t, rec, p.ID)
}

func TestService_Detach_GrandchildKeepsTheFile_ProcessStillEndsPromptly(t *testing.T) {
	_, svc := newTestService(t, Options{OutputDir: t.TempDir()})
	p := startProcess(t, svc, RunOptions{
		Command: "sh",
		Args:    []string{"-c", `sleep 300 & echo "$!"`},
		Detach:  true,
	})
	killGroupOnCleanup(t, p.PID)
	gc := awaitGrandchild(t, p)
	waitDone(t, p, 2*time.Second)
	assert.True(t, pidAlive(gc), "a detached process's group is not stopped when its leader exits")
}

func TestService_Detach_WithPTY_Refused(t *testing.T) {
	_, svc := newTestService(t, Options{OutputDir: t.TempDir()})
	r := svc.StartWithOptions(context.Background(), RunOptions{Command: "sh", PTY: true, Detach: true})
	require.False(t, r.OK)
	err := r.Value.(error)
	assert.ErrorContains(t, err, "pty")
	assert.ErrorContains(t, err, "detach")
	assert.Empty(t, svc.List(), "nothing was started")
}
