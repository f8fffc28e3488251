package process

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 20, item 12: probes run as the unit's process does.

// probeCheck passes only with PROBE_TOKEN=abc in its environment and a
// file "here" in its working directory; then it runs after, if any.
func probeCheck(after string) []string {
	script := `test "$PROBE_TOKEN" = abc && test -f ./here`
	if after != "" {
		script += " && " + after
	}
	return []string{"sh", "-c", script}
}

// unitInDir is a sleeper unit process with PROBE_TOKEN=abc, in a new
// directory holding a file "here".
func unitInDir(t *testing.T) RunOptions {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "here"), nil, 0o644))
	opts := sleeper()
	opts.Dir = dir
	opts.Env = []string{"PROBE_TOKEN=abc"}
	return opts
}

func TestUnitProbe_ExecProbesRunWithTheUnitsEnvironmentAndDirectory(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	opts := unitInDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, svc.Up(ctx, UnitSpec{
		Name:    "checked",
		Process: opts,
		Ready:   &Probe{Exec: probeCheck(""), Period: 20 * time.Millisecond},
		Alive:   &Probe{Exec: probeCheck("touch ./alive-passed"), Period: 20 * time.Millisecond, Failures: 100},
	}), "the Ready probe passes in the unit's environment and directory")
	require.Eventually(t, func() bool {
		_, err := os.Stat(filepath.Join(opts.Dir, "alive-passed"))
		return err == nil
	}, 30*time.Second, 10*time.Millisecond, "the Alive probe passes in the unit's environment and directory")
	info, err := svc.Unit("checked")
	require.NoError(t, err)
	assert.Equal(t, UnitReady, info.State)
	assert.Zero(t, info.Restarts)
}

// While a unit is stuck starting, its Error is its Ready probe's last
// failure — also after an earlier run ended badly.
func TestUnitProbe_StuckStarting_ErrorIsTheProbesLastFailure(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	opts := unitInDir(t)
	// The first run exits 3; the second runs on.
	opts.Command, opts.Args = "sh", []string{"-c", `test -f ./second && exec sleep 300; touch ./second; exit 3`}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Up's wait is not the point
	_ = svc.Up(ctx, UnitSpec{
		Name:    "stuck",
		Process: opts,
		Restart: RestartOnFailure,
		Backoff: Backoff{Initial: time.Millisecond, Jitter: -1},
		Ready:   &Probe{Exec: []string{"sh", "-c", `echo "not yet, token $PROBE_TOKEN" >&2; exit 1`}, Period: 20 * time.Millisecond},
	})
	var info UnitInfo
	require.Eventually(t, func() bool {
		info, _ = svc.Unit("stuck")
		return info.Restarts == 1 && info.State == UnitStarting && strings.HasPrefix(info.Error, "ready probe: ")
	}, 30*time.Second, 5*time.Millisecond, "the second run's Error is its probe's; last: %+v", &info)
	assert.Contains(t, info.Error, "exec probe sh: exit status 1: not yet, token abc")
}
