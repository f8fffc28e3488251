package process

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 20, item 13: a probe that answered in time passes, even when the
// manager was paused and sees its deadline late.

// scriptPauseParent counts the check in $CHECKS, has this test program
// stopped (SIGSTOP) by the check itself, for one and a half times its
// Timeout, and passes at once. A helper in a session of its own resumes
// the program. The Timeout is a whole second, so that a check slowed by a
// busy machine still answers before its deadline: only the pause may make
// the deadline pass.
const scriptPauseParent = `echo x >> "$CHECKS"
setsid sh -c 'sleep 1.5; kill -CONT $0' $PPID >/dev/null 2>&1 &
kill -STOP $PPID
exit 0`

func TestUnitProbe_ManagerPausedDuringACheckThatPassed_NotATimeout(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	checks := filepath.Join(t.TempDir(), "checks")
	opts := sleeper()
	opts.Env = []string{"CHECKS=" + checks}
	require.NoError(t, svc.Up(context.Background(), UnitSpec{
		Name:    "paused",
		Process: opts,
		Alive: &Probe{Exec: []string{"sh", "-c", scriptPauseParent},
			Period: 10 * time.Millisecond, Timeout: time.Second, Failures: 1},
	}))
	const wanted = 6 // each would fail half the time before the fix
	require.Eventually(t, func() bool {
		data, _ := os.ReadFile(checks)
		info, _ := svc.Unit("paused")
		// The last check may be under way; a unit no longer ready ends the wait.
		return bytes.Count(data, []byte("x")) >= wanted+1 || info.State != UnitReady
	}, 60*time.Second, 10*time.Millisecond, "%d checks ran", wanted)

	info, err := svc.Unit("paused")
	require.NoError(t, err)
	assert.Equal(t, UnitReady, info.State, "no check was failed: %+v", info)
	assert.Zero(t, info.Restarts)
	assert.Equal(t, []UnitState{UnitWaiting, UnitStarting, UnitReady}, rec.states("paused"))
}
