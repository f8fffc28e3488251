package proc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// state returns the state letter of pid from /proc, or 0 if it is gone.
func state(pid int) byte {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(data)
	return s[strings.LastIndexByte(s, ')')+2]
}

// start starts argv in a process group of its own, with its output
// discarded, and registers its cleanup.
func start(t *testing.T, argv ...string) Child {
	t.Helper()
	path, err := exec.LookPath(argv[0])
	if err != nil {
		t.Fatal(err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	fd := null.Fd()
	attr := &syscall.ProcAttr{Files: []uintptr{fd, fd, fd}, Sys: &syscall.SysProcAttr{Setpgid: true}}
	c, err := Start(context.Background(), path, argv, attr, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-c.PID, syscall.SIGKILL)
		reap(c.PID, 0)
		syscall.Close(c.PidFD)
	})
	return c
}

// readable waits up to timeout for fd to become readable.
func readable(t *testing.T, fd int, timeout time.Duration) bool {
	t.Helper()
	var set syscall.FdSet
	set.Bits[fd/64] |= 1 << (uint(fd) % 64)
	tv := syscall.NsecToTimeval(int64(timeout))
	n, err := syscall.Select(fd+1, &set, nil, nil, &tv)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestStart_PidfdReadableOnceExited_ZombieUntilReaped(t *testing.T) {
	c := start(t, "sleep", "300")
	if readable(t, c.PidFD, 0) {
		t.Fatal("pidfd readable while the child runs")
	}
	if _, exited, err := Reap(c.PID); err != nil || exited {
		t.Fatalf("Reap of a running child = %v, %v", exited, err)
	}
	syscall.Kill(c.PID, syscall.SIGTERM)
	if !readable(t, c.PidFD, 10*time.Second) {
		t.Fatal("pidfd not readable within 10s of the exit")
	}
	if got := state(c.PID); got != 'Z' {
		t.Fatalf("state = %q, want a zombie until reaped", got)
	}
	e, exited, err := Reap(c.PID)
	if err != nil || !exited {
		t.Fatalf("Reap = %v, %v", exited, err)
	}
	if !e.Status.Signaled() || e.Status.Signal() != syscall.SIGTERM {
		t.Fatalf("status %v, want ended by SIGTERM", e.Status)
	}
	if got := state(c.PID); got != 0 {
		t.Fatalf("state after Reap = %q, want gone", got)
	}
}

func TestStart_MissingProgram_NamesIt(t *testing.T) {
	_, err := Start(context.Background(), "/nonexistent/program", []string{"program"}, &syscall.ProcAttr{}, true)
	if !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), "/nonexistent/program") {
		t.Fatalf("err = %v, want ENOENT naming the program", err)
	}
}

func TestSignalGroup_ReachesMembersAfterTheLeaderIsReaped(t *testing.T) {
	leader := start(t, "sh", "-c", "sleep 300 & exit 0")
	if !readable(t, leader.PidFD, 10*time.Second) {
		t.Fatal("the leader did not exit")
	}
	if _, exited, _ := Reap(leader.PID); !exited {
		t.Fatal("the leader was not reaped")
	}
	if !LiveGroups([]int{leader.PID})[leader.PID] {
		t.Fatal("the sleep is not alive in the leader's group")
	}
	if err := SignalGroup(leader.PidFD, leader.PID, syscall.SIGKILL); err != nil {
		t.Fatalf("SignalGroup after the leader was reaped = %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for LiveGroups([]int{leader.PID})[leader.PID] {
		if time.Now().After(deadline) {
			t.Fatal("the group member survived SIGKILL")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSignalGroup_EmptyGroup_ESRCH(t *testing.T) {
	c := start(t, "true")
	if !readable(t, c.PidFD, 10*time.Second) {
		t.Fatal("the child did not exit")
	}
	Reap(c.PID)
	if err := SignalGroup(c.PidFD, c.PID, 0); err != syscall.ESRCH {
		t.Fatalf("SignalGroup of an empty group = %v, want ESRCH", err)
	}
}

func TestSignalGroup_RefusesInitAndInvalidGroups(t *testing.T) {
	for _, pgid := range []int{-1, 0, 1} {
		if err := SignalGroup(-1, pgid, 0); err == nil {
			t.Errorf("SignalGroup(%d) succeeded", pgid)
		}
	}
}

func TestLiveGroups_IgnoresZombies(t *testing.T) {
	c := start(t, "true")
	if !readable(t, c.PidFD, 10*time.Second) {
		t.Fatal("the child did not exit")
	}
	// The leader is a zombie: its group still exists for kill(2) ...
	if err := syscall.Kill(-c.PID, 0); err != nil {
		t.Fatalf("kill(-pgid, 0) = %v, want the zombie to keep the group", err)
	}
	// ... but no member is alive.
	if LiveGroups([]int{c.PID})[c.PID] {
		t.Fatal("LiveGroups counted a zombie as alive")
	}
}

func TestIsOwnThread(t *testing.T) {
	tid := make(chan int)
	release := make(chan struct{})
	defer close(release)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tid <- syscall.Gettid()
		<-release
	}()
	for _, id := range []int{os.Getpid(), <-tid} {
		if !IsOwnThread(id) {
			t.Errorf("IsOwnThread(%d) = false for a thread of this program", id)
		}
	}
	c := start(t, "sleep", "300")
	if IsOwnThread(c.PID) {
		t.Errorf("IsOwnThread(%d) = true for a child", c.PID)
	}
}

func TestStart_ContextAlreadyEnded_StartsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := allChildren(t)
	if _, err := Start(ctx, "/bin/true", []string{"true"}, &syscall.ProcAttr{}, true); !errors.Is(err, context.Canceled) {
		t.Fatalf("Start with an ended context: %v, want context.Canceled", err)
	}
	if after := allChildren(t); !slices.Equal(before, after) {
		t.Fatalf("a child was started: children %v, then %v", before, after)
	}
}

// allChildren returns the children of every thread of this program.
func allChildren(t *testing.T) []string {
	t.Helper()
	tasks, err := filepath.Glob("/proc/self/task/*/children")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, task := range tasks {
		data, _ := os.ReadFile(task)
		pids = append(pids, strings.Fields(string(data))...)
	}
	slices.Sort(pids)
	return pids
}

// An invalid signal number is the caller's mistake, not a sign that the
// kernel cannot signal groups through pidfds: it fails, and the program
// goes on signalling groups through pidfds.
func TestSignalGroup_InvalidSignal_FailsWithoutSwitchingOffPidfdGroupSignals(t *testing.T) {
	known := groupSignals.Load()
	t.Cleanup(func() { groupSignals.Store(known) })
	groupSignals.Store(0) // not yet known, as in a program that has signalled nothing
	c := start(t, "sleep", "300")
	if err := SignalGroup(c.PidFD, c.PID, 0); err != nil {
		t.Fatalf("SignalGroup with the null signal = %v", err)
	}
	if groupSignals.Load() == 2 {
		t.Skip("this kernel cannot signal process groups through pidfds (Linux 6.9 or later can)")
	}
	if err := SignalGroup(c.PidFD, c.PID, syscall.Signal(99)); err != syscall.EINVAL {
		t.Fatalf("SignalGroup with signal 99 = %v, want EINVAL", err)
	}
	if got := groupSignals.Load(); got != 1 {
		t.Fatalf("group signals through pidfds = %d after an invalid signal, want 1 (in use): a caller's mistake switched them off for the whole program", got)
	}
	if err := SignalGroup(c.PidFD, c.PID, syscall.SIGTERM); err != nil {
		t.Fatalf("SignalGroup with SIGTERM after the invalid one = %v", err)
	}
	if !readable(t, c.PidFD, 10*time.Second) {
		t.Fatal("the SIGTERM did not end the child")
	}
}
