package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary play the agent's first life, which run
// starts as a child program.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == "first-life" {
		if err := firstLife(os.Args[2]); err != nil {
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

func TestAgent_SecondLifeFindsAndKillsTheWorkerOfTheFirst(t *testing.T) {
	out := captureStdout(t, func() { require.NoError(t, run()) })
	assert.Contains(t, out, "persisted")
	assert.Contains(t, out, "is gone")
	if strings.Contains(out, `containment "cgroup"`) {
		assert.Contains(t, out, "process.kill id-", "adopted under its old ID")
		assert.Contains(t, out, "ok=false", "a PID the service never started is refused")
	}
}

// captureStdout returns what fn prints.
func captureStdout(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	saved := os.Stdout
	os.Stdout = w
	var buf bytes.Buffer
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(&buf, r)
		close(copied)
	}()
	defer func() {
		os.Stdout = saved
		w.Close()
		<-copied
		r.Close()
	}()
	fn()
	os.Stdout = saved
	w.Close()
	<-copied
	return buf.String()
}
