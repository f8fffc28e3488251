package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process/internal/cgroup"
)

// Issue 10: containment. Every promise is shown in both modes: a cgroup
// per process (this machine has a writable cgroup v2 hierarchy) and the
// fallback, process groups with this program as subreaper.

var containments = []Containment{ContainmentCgroup, ContainmentGroup}

// forEachContainment runs test once per containment mode, in parallel.
func forEachContainment(t *testing.T, test func(t *testing.T, mode Containment)) {
	for _, mode := range containments {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			test(t, mode)
		})
	}
}

// Scripts whose descendants leave the leader's process group. Each prints
// the PID of the escaped descendant (setsid(1) execs, without forking, in a
// child that does not lead a process group).
const (
	// A grandchild in a session of its own; the leader waits for it.
	scriptSetsidGrandchild = `setsid sleep 300 & echo $!; wait`
	// A daemon: forked by a subshell that exits at once, in a session of
	// its own, re-parented away from the leader.
	scriptDoubleFork = `(setsid sleep 300 & echo $!); exec sleep 300`
	// The leader leaves a session-leading grandchild behind and exits.
	scriptLeaveSetsidGrandchild = `setsid sleep 300 & echo $!`
)

// awaitEscapee waits for p to print the PID of a descendant that is not in
// its process group, and registers its cleanup.
func awaitEscapee(t *testing.T, p *Process) int {
	t.Helper()
	lines := awaitOutput(t, p, 10*time.Second, "a descendant's PID", func(lines []string) bool {
		_, ok := pidLine(lines)
		return ok
	})
	pid, _ := pidLine(lines)
	killOnCleanup(t, pid)
	require.Eventually(t, func() bool {
		_, pgrp, ok := procStat(pid)
		return ok && pgrp == pid // it has called setsid
	}, 10*time.Second, time.Millisecond, "descendant %d leads a group of its own", pid)
	return pid
}

// waitReaped waits until pid has no /proc entry at all: not even a zombie.
func waitReaped(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, err := os.Stat("/proc/" + strconv.Itoa(pid))
		return os.IsNotExist(err)
	}, within, 5*time.Millisecond, "pid %d was not reaped", pid)
}

func TestContainment_Kill_ReachesASetsidGrandchild(t *testing.T) {
	forEachContainment(t, func(t *testing.T, mode Containment) {
		_, svc := newTestService(t, Options{Containment: mode})
		p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptSetsidGrandchild}})
		gc := awaitEscapee(t, p)

		require.NoError(t, p.Kill())
		waitGone(t, gc, 10*time.Second)
		waitDone(t, p, 10*time.Second)
		assert.Equal(t, StatusKilled, p.Info().Status)
		assert.Equal(t, mode, p.Info().Containment)
		if mode == ContainmentGroup {
			waitReaped(t, gc, 10*time.Second) // re-parented to this program, which reaped it
		}
	})
}

func TestContainment_ServiceShutdown_ReachesADoubleForkedDaemon(t *testing.T) {
	forEachContainment(t, func(t *testing.T, mode Containment) {
		c, svc := newTestService(t, Options{Containment: mode, GracePeriod: time.Second})
		p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptDoubleFork}})
		daemon := awaitEscapee(t, p)

		r := c.ServiceShutdown(context.Background())
		require.True(t, r.OK, "shutdown: %v", r.Value)
		assert.False(t, pidAlive(daemon), "the daemon %d outlived the shutdown", daemon)
	})
}

func TestContainment_Shutdown_ReachesAJobOfAnInteractiveShellOnAPTY(t *testing.T) {
	forEachContainment(t, func(t *testing.T, mode Containment) {
		_, svc := newTestService(t, Options{Containment: mode, GracePeriod: time.Second})
		p := startProcess(t, svc, RunOptions{Command: "bash", Args: []string{"--norc", "--noprofile", "-i"}, PTY: true})
		// With job control on, the job gets a process group of its own.
		require.NoError(t, p.SendInput("sleep 300 & echo job=$!\n"))
		lines := awaitOutput(t, p, 10*time.Second, "the job's PID", func(lines []string) bool {
			for _, l := range lines {
				if strings.HasPrefix(l, "job=") {
					return true
				}
			}
			return false
		})
		var job int
		for _, l := range lines {
			if v, ok := strings.CutPrefix(l, "job="); ok {
				job, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		require.Greater(t, job, 1)
		killOnCleanup(t, job)
		_, pgrp, _ := procStat(job)
		require.NotEqual(t, p.PID, pgrp, "the job left the shell's process group")

		require.NoError(t, p.Shutdown())
		waitGone(t, job, 10*time.Second)
	})
}

func TestContainment_LeaderExits_ItsDescendantsAreStopped_RunReturnsPromptly(t *testing.T) {
	forEachContainment(t, func(t *testing.T, mode Containment) {
		_, svc := newTestService(t, Options{Containment: mode})
		result := make(chan core.Result, 1)
		go func() {
			result <- svc.RunWithOptions(context.Background(), RunOptions{Command: "sh", Args: []string{"-c", scriptLeaveSetsidGrandchild}})
		}()
		r := awaitResult(t, result, "Run did not return while a grandchild held its output")
		require.True(t, r.OK, "run: %v", r.Value)
		gc, err := strconv.Atoi(strings.TrimSpace(r.Value.(string)))
		require.NoError(t, err, "output %q", r.Value)
		killOnCleanup(t, gc)
		waitGone(t, gc, 10*time.Second)
	})
}

func TestContainment_LeaderExits_DetachedProcessKeepsItsDescendants(t *testing.T) {
	forEachContainment(t, func(t *testing.T, mode Containment) {
		_, svc := newTestService(t, Options{Containment: mode})
		p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptLeaveSetsidGrandchild}, Detach: true})
		gc := awaitEscapee(t, p)
		waitDone(t, p, 10*time.Second)
		assert.True(t, pidAlive(gc), "the detached process's grandchild lives on")
		assert.True(t, p.lingers(), "the process stays in the table while its grandchild lives")

		require.NoError(t, p.Kill(), "Kill still reaches the grandchild")
		waitGone(t, gc, 10*time.Second)
	})
}

func TestContainment_Info_ReportsTheModeAndUsage(t *testing.T) {
	forEachContainment(t, func(t *testing.T, mode Containment) {
		_, svc := newTestService(t, Options{Containment: mode})
		// A child that burns some CPU in a grandchild it waits for.
		r := svc.RunWithOptions(context.Background(), RunOptions{Command: "sh", Args: []string{"-c",
			`sh -c 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done'`}})
		require.True(t, r.OK, "run: %v", r.Value)
		procs := svc.List()
		require.Len(t, procs, 1)
		info := procs[0].Info()
		assert.Equal(t, mode, info.Containment)
		assert.Positive(t, info.CPU, "CPU time of the tree")
		assert.Positive(t, info.MaxRSS, "peak memory")
	})
}

func TestContainment_Auto_ChoosesCgroupsWhereTheyCanBeMade(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"300"}})
	_, _, err := cgroup.Own()
	if err == nil && svc.cgroups != nil {
		assert.Equal(t, ContainmentCgroup, p.Info().Containment)
	} else {
		assert.Equal(t, ContainmentGroup, p.Info().Containment)
	}
	require.NoError(t, p.Kill())
}

func TestContainment_UnknownMode_RefusedNamingIt(t *testing.T) {
	t.Parallel()
	r := NewService(Options{Containment: "jail"})(core.New())
	require.False(t, r.OK)
	assert.ErrorContains(t, r.Value.(error), `containment "jail": unknown`)
}

// --- ContainmentCgroup only ------------------------------------------------

// newCgroupService is newTestService in ContainmentCgroup, with its cgroups
// under the program name program (so it reclaims only what a manager
// started under that name left).
func newCgroupService(t *testing.T, opts Options, program string) (*core.Core, *Service) {
	t.Helper()
	opts.Containment = ContainmentCgroup
	return newPreparedTestService(t, opts, func(svc *Service) {
		if program == "" {
			return
		}
		home, err := newCgroupHome(program)
		require.NoError(t, err)
		svc.cgroups = home
		svc.table.fallback = home.signal
	})
}

func TestContainment_Cgroup_TheChildRunsInItsOwnCgroupFromItsFirstInstruction(t *testing.T) {
	t.Parallel()
	_, svc := newCgroupService(t, Options{}, "")
	r := svc.RunWithOptions(context.Background(), RunOptions{Command: "cat", Args: []string{"/proc/self/cgroup"}})
	require.True(t, r.OK, "run: %v", r.Value)
	p := svc.List()[0]
	want := "0::" + p.group.cgroup.Path()
	assert.True(t, strings.HasPrefix(p.group.cgroup.Path(), svc.cgroups.instance.Path()+"/"), "a cgroup of the instance's")
	assert.Contains(t, strings.Split(r.Value.(string), "\n"), want)
}

func TestContainment_Cgroup_NoCgroupLeftAfter1000StartKillPairs(t *testing.T) {
	t.Parallel()
	c, svc := newCgroupService(t, Options{KeepFinished: 8}, "")
	const pairs, workers = 1000, 4
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= pairs {
				r := svc.Start(context.Background(), "sleep", "300")
				if !assert.True(t, r.OK, "start: %v", r.Value) {
					return
				}
				p := r.Value.(*Process)
				assert.NoError(t, p.Kill())
				<-p.Done()
			}
		})
	}
	wg.Wait()
	instance := svc.cgroups.instance.Dir()
	require.Eventually(t, func() bool {
		entries, err := os.ReadDir(instance)
		return err == nil && countDirs(entries) == 0
	}, 10*time.Second, 10*time.Millisecond, "cgroups left in %s", instance)

	r := c.ServiceShutdown(context.Background())
	require.True(t, r.OK, "shutdown: %v", r.Value)
	_, err := os.Stat(instance)
	assert.True(t, os.IsNotExist(err), "the instance's cgroup %s is removed at shutdown", instance)
}

func countDirs(entries []os.DirEntry) int {
	n := 0
	for _, e := range entries {
		if e.IsDir() {
			n++
		}
	}
	return n
}

func TestContainment_Cgroup_PIDFallback_ReachesOnlyThisProgramsCgroups(t *testing.T) {
	t.Parallel()
	c, svc := newCgroupService(t, Options{}, "")

	// Not started by the service: refused, and left alone.
	cmd := exec.Command("sleep", "300")
	require.NoError(t, cmd.Start())
	killOnCleanup(t, cmd.Process.Pid)
	go func() { _ = cmd.Wait() }()
	r := i3Run(t, c, "process.kill", i3Opts("pid", cmd.Process.Pid))
	require.False(t, r.OK)
	assert.ErrorContains(t, r.Value.(error), `option "pid"`)
	assert.ErrorContains(t, r.Value.(error), "not in a cgroup of this service")
	assert.True(t, pidAlive(cmd.Process.Pid))

	// A descendant of a managed process, in its cgroup: reached.
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptSetsidGrandchild}})
	gc := awaitEscapee(t, p)
	r = i3Run(t, c, "process.kill", i3Opts("pid", gc))
	require.True(t, r.OK, "process.kill: %v", r.Value)
	waitGone(t, gc, 10*time.Second)
}

// reclaimManagerEnv, set to "1", turns the test binary into the manager
// program of TestContainment_Cgroup_ANewInstanceReclaimsWhatADeadOneLeft
// (see runReclaimManager).
const reclaimManagerEnv = "GO_PROCESS_TEST_RECLAIM_MANAGER"

// runReclaimManager starts, in ContainmentCgroup, a process whose setsid
// grandchild outlives the manager's death (the parent-death signal reaches
// only the leader) and a detached sleep. It prints "ids <process ID>
// <grandchild PID> <detached ID> <detached PID>" and waits to be killed.
func runReclaimManager() int {
	svc, p, gc, err := startManagerWithGrandchild(scriptSetsidGrandchild)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	r := svc.StartWithOptions(context.Background(), RunOptions{Command: "sleep", Args: []string{"300"}, Detach: true})
	if !r.OK {
		fmt.Fprintln(os.Stderr, "start detached:", r.Value)
		return 2
	}
	d := r.Value.(*Process)
	fmt.Printf("ids %s %d %s %d\n", p.ID, gc, d.ID, d.PID)
	select {} // until killed
}

// startManagerWithGrandchild starts a service in ContainmentCgroup and,
// in it, sh running script, which prints the PID of a grandchild it
// leaves; it returns the service, the process and that PID.
func startManagerWithGrandchild(script string) (*Service, *Process, int, error) {
	c := core.New(core.WithService(NewService(Options{Containment: ContainmentCgroup})))
	svc, _ := core.ServiceFor[*Service](c, "process")
	if r := c.ServiceStartup(context.Background(), nil); !r.OK {
		return nil, nil, 0, fmt.Errorf("startup: %v", r.Value)
	}
	r := svc.Start(context.Background(), "sh", "-c", script)
	if !r.OK {
		return nil, nil, 0, fmt.Errorf("start: %v", r.Value)
	}
	p := r.Value.(*Process)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if gc, _ := pidLine(outputLines(p.Output())); gc != 0 {
			return svc, p, gc, nil
		}
		<-time.After(5 * time.Millisecond)
	}
	return nil, nil, 0, errors.New("no grandchild")
}

func TestContainment_Cgroup_ANewInstanceReclaimsWhatADeadOneLeft(t *testing.T) {
	t.Parallel()
	program := uniqueProgramName("reclaim-manager")
	removeProgramCgroupsOnCleanup(t, program)

	var id, detachedID string
	var gc, detachedPID int
	cmd := startCrashingManager(t, program, reclaimManagerEnv, func(out *os.File) error {
		_, err := fmt.Fscanf(out, "ids %s %d %s %d\n", &id, &gc, &detachedID, &detachedPID)
		return err
	})
	killOnCleanup(t, gc)
	killOnCleanup(t, detachedPID)

	// The manager dies without shutting down.
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.True(t, pidAlive(gc), "the grandchild outlived the manager")
	require.True(t, pidAlive(detachedPID), "the detached process outlived the manager")

	_, svc := newCgroupService(t, Options{GracePeriod: 500 * time.Millisecond}, program)
	waitGone(t, gc, 10*time.Second) // the non-detached tree is stopped

	p, err := svc.Get(detachedID)
	require.NoError(t, err, "the detached process is adopted under its old ID")
	assert.Equal(t, detachedPID, p.PID)
	assert.Equal(t, "sleep", p.Command)
	assert.True(t, svc.IsRunning(detachedID))
	assert.Equal(t, ContainmentCgroup, p.Info().Containment)
	assert.True(t, pidAlive(detachedPID), "an adopted process runs on")

	require.NoError(t, svc.Kill(detachedID))
	waitGone(t, detachedPID, 10*time.Second)
	waitDone(t, p, 10*time.Second)
	assert.Equal(t, StatusKilled, p.Info().Status)
	assert.False(t, svc.IsRunning(detachedID))

	// Nothing of the dead instance is left.
	require.Eventually(t, func() bool {
		entries, err := os.ReadDir(svc.cgroups.base.Dir())
		if err != nil {
			return false
		}
		for _, e := range entries {
			if e.IsDir() && e.Name() != filepath.Base(svc.cgroups.instance.Dir()) {
				return false
			}
		}
		return true
	}, 10*time.Second, 10*time.Millisecond, "the dead instance's cgroups are removed")
}

// programNames numbers the program names of managers this test binary
// starts.
var programNames atomic.Int64

// uniqueProgramName returns a program name, for a manager this test binary
// starts, that no other program has: its cgroups stay apart from this
// program's and from other managers'.
func uniqueProgramName(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), programNames.Add(1))
}

// removeProgramCgroupsOnCleanup removes, when the test ends, the cgroups
// made for program, waiting for their members to have gone.
func removeProgramCgroupsOnCleanup(t *testing.T, program string) {
	t.Helper()
	dir, path, err := cgroup.Own()
	if err != nil {
		return // no cgroups here: the manager used none
	}
	base := cgroup.At(dir, path).Child("go-process").Child(program)
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for base.Exists() {
			if err := base.Remove(); err == nil || time.Now().After(deadline) {
				if err != nil {
					t.Errorf("cgroups of %s left: %v", program, err)
				}
				return
			}
			<-time.After(10 * time.Millisecond)
		}
	})
}

// removeOwnCgroups removes the cgroups that the services of this test
// binary made and that have no member left: those of services the tests
// used without shutting them down.
func removeOwnCgroups() {
	home, err := newCgroupHome(programName())
	if err != nil {
		return
	}
	self, err := selfInstance()
	if err != nil {
		return
	}
	instances, _ := home.base.Children()
	for _, g := range instances {
		if strings.HasPrefix(filepath.Base(g.Dir()), self+".") {
			_ = g.Remove()
		}
	}
	_ = syscall.Rmdir(home.base.Dir())
}

// scriptExecLoop starts a grandchild, in a session of its own, that execs
// itself again and again, and prints its PID.
const scriptExecLoop = `setsid sh -c 'exec sh -c "$0" "$0"' 'exec sh -c "$0" "$0"' & echo $!; wait`

// A process in the middle of an exec reads, for a moment, as having no
// environment, so no mark: ContainmentGroup must still recognise it.
func TestContainment_Group_KillWhileTheGrandchildExecs_ReachesItEveryTime(t *testing.T) {
	t.Parallel()
	_, svc := newTestService(t, Options{Containment: ContainmentGroup})
	for range 50 {
		p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", scriptExecLoop}})
		gc := awaitEscapee(t, p)
		require.NoError(t, p.Kill())
		waitGone(t, gc, 10*time.Second)
		waitDone(t, p, 10*time.Second)
	}
}
