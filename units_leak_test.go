package process

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countFDs counts this program's open file descriptors.
func countFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(entries)
}

// cgroupDir returns the cgroup v2 directory of pid, or "" when it has
// none that this test can see.
func cgroupDir(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if path, ok := strings.CutPrefix(line, "0::"); ok {
			return filepath.Join("/sys/fs/cgroup", path)
		}
	}
	return ""
}

// A unit that crash-loops 100 times leaves no file descriptor, goroutine,
// process or cgroup behind once it has failed.
func TestUnitCrashLoop_100Runs_LeavesNothingBehind(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	own := cgroupDir(os.Getpid())
	var mu sync.Mutex
	cgroups := map[string]bool{}
	rec.onStart = func(e ActionProcessStarted) {
		if dir := cgroupDir(e.PID); dir != "" && dir != own {
			mu.Lock()
			cgroups[dir] = true
			mu.Unlock()
		}
	}
	// Warm up what the service keeps for its life (the forking thread,
	// its cgroup home), so only what the unit leaves is counted.
	require.True(t, svc.Run(context.Background(), "true").OK)
	waitDone(t, startProcess(t, svc, RunOptions{Command: "true"}), 10*time.Second)
	runtime.GC()
	fds, goroutines := countFDs(t), runtime.NumGoroutine()

	const restarts = 99
	require.NoError(t, svc.Up(context.Background(), UnitSpec{
		Name:        "crasher",
		Process:     shell("exit 7"),
		Restart:     RestartOnFailure,
		Backoff:     Backoff{Initial: time.Nanosecond, Max: time.Nanosecond, Jitter: -1},
		MaxRestarts: restarts,
	}))
	info := awaitUnit(t, svc, "crasher", UnitFailed, 60*time.Second)
	assert.Equal(t, restarts, info.Restarts)
	starts := rec.starts()
	require.Len(t, starts, restarts+3, "the warm-up runs and 100 runs of the unit")

	for _, s := range starts {
		assert.False(t, pidAlive(s.PID), "pid %d", s.PID)
	}
	assert.Eventually(t, func() bool { return countFDs(t) <= fds }, 10*time.Second, 5*time.Millisecond,
		"file descriptors: %d before, %d after", fds, countFDs(t))
	// Polled here, not with Eventually, which runs the condition in a
	// goroutine of its own.
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > goroutines && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if !assert.LessOrEqual(t, runtime.NumGoroutine(), goroutines, "goroutines left behind") {
		buf := make([]byte, 1<<20)
		t.Logf("%s", buf[:runtime.Stack(buf, true)])
	}
	mu.Lock()
	defer mu.Unlock()
	for dir := range cgroups {
		assert.Eventually(t, func() bool {
			_, err := os.Stat(dir)
			return os.IsNotExist(err)
		}, 10*time.Second, 5*time.Millisecond, "cgroup %s left behind", dir)
	}
	t.Logf("100 runs: %d cgroups seen, fds %d → %d, goroutines %d → %d",
		len(cgroups), fds, countFDs(t), goroutines, runtime.NumGoroutine())
}
