package main

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/internal/term"
)

func TestPrinter_PadsNamesAndColoursOnlyWhenAsked(t *testing.T) {
	var out, errOut bytes.Buffer
	p := newPrinter(&out, &errOut, []string{"web", "worker"}, false)
	p.line("web", "listening")
	p.line("worker", "tick")
	p.state(process.ActionUnitChanged{Name: "web", State: process.UnitBackoff, Restarts: 2, Error: "exit status 1"})
	assert.Equal(t, "web    | listening\nworker | tick\n", out.String())
	assert.Equal(t, "web    → backoff (restart 2): exit status 1\n", errOut.String())

	out.Reset()
	p = newPrinter(&out, &errOut, []string{"web", "worker"}, true)
	p.line("web", "a")
	p.line("worker", "b")
	assert.Equal(t, "\x1b[36mweb    |\x1b[0m a\n\x1b[33mworker |\x1b[0m b\n", out.String())
}

func TestWriteTable_ShowsProcessUsageAndErrors(t *testing.T) {
	now := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	writeTable(&out, []process.UnitInfo{
		{Name: "web", State: process.UnitReady, PID: 42, ProcessID: "p1", Restarts: 1},
		{Name: "migrate", State: process.UnitSucceeded, ProcessID: "p0"},
		{Name: "worker", State: process.UnitWaiting},
		{Name: "db", State: process.UnitStarting, PID: 43, ProcessID: "p2", Error: "ready probe: exec probe pg_isready: exit status 2:\nno response"},
	}, []process.ProcessInfo{
		{ID: "p0", CPU: 3 * time.Millisecond},
		{ID: "p1", PID: 42, Running: true, StartedAt: now.Add(-90 * time.Second), CPU: 1250 * time.Millisecond},
		{ID: "p2", PID: 43, Running: true, StartedAt: now.Add(-2 * time.Second)},
	}, now)
	assert.Equal(t, "NAME     STATE      RESTARTS  PID  UPTIME  CPU    ERROR\n"+
		"web      ready      1         42   1m30s   1.25s  -\n"+
		"migrate  succeeded  0         -    -       3ms    -\n"+
		"worker   waiting    0         -    -       -      -\n"+
		"db       starting   0         43   2s      0s     ready probe: exec probe pg_isready: exit status 2: no response\n", out.String())
}

func TestStuckReporter_PrintsAStartingUnitsErrorOncePerChange(t *testing.T) {
	var out, errOut bytes.Buffer
	r := newStuckReporter(newPrinter(&out, &errOut, []string{"db", "web"}, false))
	starting := func(err string) []process.UnitInfo {
		return []process.UnitInfo{{Name: "db", State: process.UnitStarting, Error: err}, {Name: "web", State: process.UnitWaiting}}
	}
	r.changed(process.ActionUnitChanged{Name: "db", State: process.UnitStarting})
	r.look(starting(""))
	r.look(starting("ready probe: exit status 2"))
	r.look(starting("ready probe: exit status 2"))
	r.look(starting("ready probe: connection refused"))
	r.changed(process.ActionUnitChanged{Name: "db", State: process.UnitStarting, Error: "ready probe: timed out"})
	r.look(starting("ready probe: timed out"))
	r.look([]process.UnitInfo{{Name: "db", State: process.UnitFailed, Error: "ready probe: timed out"}})
	r.changed(process.ActionUnitChanged{Name: "db", State: process.UnitBackoff, Restarts: 1})
	r.changed(process.ActionUnitChanged{Name: "db", State: process.UnitStarting, Restarts: 1})
	r.look(starting("ready probe: exit status 2"))
	assert.Equal(t, "db  → starting\n"+
		"db  → starting: not ready yet: ready probe: exit status 2\n"+
		"db  → starting: not ready yet: ready probe: connection refused\n"+
		"db  → starting: ready probe: timed out\n"+
		"db  → backoff (restart 1)\n"+
		"db  → starting (restart 1)\n"+
		"db  → starting: not ready yet: ready probe: exit status 2\n", errOut.String())
	assert.Empty(t, out.String())
}

func TestIsTerminal_FalseForAFile_TrueForATerminal(t *testing.T) {
	f, err := createTemp(t)
	require.NoError(t, err)
	assert.False(t, isTerminal(f))

	master, tty, err := term.Open(24, 80)
	require.NoError(t, err)
	defer master.Close()
	defer tty.Close()
	assert.True(t, isTerminal(tty))
}

func createTemp(t *testing.T) (*os.File, error) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err == nil {
		t.Cleanup(func() { f.Close() })
	}
	return f, err
}
