package process

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 20, items 10, 11 and 14: what a new instance reclaims from a
// crashed one.

// stubbornManagerEnv, set to "1", turns the test binary into a manager
// that leaves behind, when it dies, a grandchild that ignores SIGTERM
// (see runStubbornManager).
const stubbornManagerEnv = "GO_PROCESS_TEST_STUBBORN_MANAGER"

func init() {
	if os.Getenv(stubbornManagerEnv) == "1" {
		os.Exit(runStubbornManager())
	}
}

// scriptStubbornGrandchild leaves, in a session of its own, a grandchild
// that ignores SIGTERM (its sleeps too), prints its PID and waits.
const scriptStubbornGrandchild = `setsid sh -c 'trap "" TERM; while :; do sleep 0.05; done' & echo $!; wait`

// runStubbornManager starts, in ContainmentCgroup, a process whose setsid
// grandchild ignores SIGTERM and outlives the manager's death. It prints
// "pid <grandchild PID>" and waits to be killed.
func runStubbornManager() int {
	_, _, gc, err := startManagerWithGrandchild(scriptStubbornGrandchild)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Printf("pid %d\n", gc)
	select {} // until killed
}

// startCrashingManager starts the test binary as a manager (env selects
// which) under the program name program and reads its report with scan.
// The manager is killed, by its PID, when the test ends.
func startCrashingManager(t *testing.T, program, env string, scan func(*os.File) error) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Args[0] = program
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	require.NoError(t, scan(out.(*os.File)), "the manager's report")
	return cmd
}

// crashStubbornManager runs a stubborn manager under program, kills it
// with SIGKILL and returns the grandchild it left.
func crashStubbornManager(t *testing.T, program string) int {
	t.Helper()
	var gc int
	cmd := startCrashingManager(t, program, stubbornManagerEnv, func(out *os.File) error {
		_, err := fmt.Fscanf(out, "pid %d\n", &gc)
		return err
	})
	killOnCleanup(t, gc)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.True(t, pidAlive(gc), "the grandchild outlived the manager")
	return gc
}

// A unit started right after a crash does not run beside what the crashed
// instance left: its process starts once the reclaimed tree is gone, even
// one that ignores SIGTERM.
func TestReclaim_UnitStartsOnlyOnceTheCrashedInstancesTreeIsGone(t *testing.T) {
	program := uniqueProgramName("stubborn-manager")
	removeProgramCgroupsOnCleanup(t, program)
	gc := crashStubbornManager(t, program)

	c, svc := newCgroupService(t, Options{GracePeriod: time.Second}, program)
	var starts, overlaps atomic.Int64
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if e, ok := msg.(ActionProcessStarted); ok {
			killOnCleanup(t, e.PID)
			starts.Add(1)
			if pidAlive(gc) {
				overlaps.Add(1)
			}
		}
		return core.Result{OK: true}
	})
	require.NoError(t, svc.Up(context.Background(), UnitSpec{Name: "web", Process: sleeper()}))
	require.Equal(t, int64(1), starts.Load())
	assert.Zero(t, overlaps.Load(), "the unit's process started while the crashed instance's grandchild %d lived", gc)
	assert.False(t, pidAlive(gc))
}

// An orderly shutdown finishes the reclaim it began: what the crashed
// instance left is stopped and its cgroups removed, with the program's
// own, even while the reclaim's grace period still runs.
func TestReclaim_ShutdownDuringTheReclaim_FinishesIt_NoCgroupLeft(t *testing.T) {
	program := uniqueProgramName("stubborn-manager")
	removeProgramCgroupsOnCleanup(t, program)
	gc := crashStubbornManager(t, program)

	c, svc := newCgroupService(t, Options{GracePeriod: time.Second}, program)
	base := svc.cgroups.base.Dir()
	require.True(t, pidAlive(gc), "the reclaim is under way")

	r := c.ServiceShutdown(context.Background())
	require.True(t, r.OK, "shutdown: %v", r.Value)
	assert.False(t, pidAlive(gc), "the crashed instance's grandchild is stopped")
	_, err := os.Stat(base)
	assert.True(t, os.IsNotExist(err), "the program's cgroups are all removed: %v", dirNames(base))
}

// A reclaim that was over before the shutdown leaves no cgroup behind
// either.
func TestReclaim_ShutdownAfterTheReclaim_NoCgroupLeft(t *testing.T) {
	program := uniqueProgramName("stubborn-manager")
	removeProgramCgroupsOnCleanup(t, program)
	gc := crashStubbornManager(t, program)

	c, svc := newCgroupService(t, Options{GracePeriod: 100 * time.Millisecond}, program)
	base := svc.cgroups.base.Dir()
	waitGone(t, gc, 10*time.Second)

	r := c.ServiceShutdown(context.Background())
	require.True(t, r.OK, "shutdown: %v", r.Value)
	_, err := os.Stat(base)
	assert.True(t, os.IsNotExist(err), "the program's cgroups are all removed: %v", dirNames(base))
}

// dirNames lists the directories under dir, for messages.
func dirNames(dir string) []string {
	var names []string
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			names = append(names, path)
		}
		return nil
	})
	return names
}

// A crashed manager that its parent has not reaped yet — a zombie — is
// dead: the next instance reclaims what it left.
func TestReclaim_ZombieManagerCountsAsDead(t *testing.T) {
	program := uniqueProgramName("zombie-manager")
	removeProgramCgroupsOnCleanup(t, program)
	var id, detachedID string
	var gc, detachedPID int
	cmd := startCrashingManager(t, program, reclaimManagerEnv, func(out *os.File) error {
		_, err := fmt.Fscanf(out, "ids %s %d %s %d\n", &id, &gc, &detachedID, &detachedPID)
		return err
	})
	killOnCleanup(t, gc)
	killOnCleanup(t, detachedPID)
	// Killed and left unreaped (the test is its parent).
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	require.Eventually(t, func() bool {
		state, _, ok := procStat(cmd.Process.Pid)
		return ok && state == 'Z'
	}, 10*time.Second, 5*time.Millisecond, "the manager is a zombie")
	require.True(t, pidAlive(gc))

	_, svc := newCgroupService(t, Options{GracePeriod: 500 * time.Millisecond}, program)
	waitGone(t, gc, 10*time.Second)
	p, err := svc.Get(detachedID)
	require.NoError(t, err, "the detached process is adopted")
	assert.Equal(t, detachedPID, p.PID)
	state, _, ok := procStat(cmd.Process.Pid)
	assert.True(t, ok && state == 'Z', "still a zombie while reclaimed")
}
