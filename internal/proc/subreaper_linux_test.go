package proc

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSweeper_ReapsAZombieOnceThePidfdThatHeldItIsClosed: an orphan that
// exits while a pidfd of this program refers to it is passed over by the
// sweep its SIGCHLD causes; it is reaped once that pidfd is closed, though
// no further SIGCHLD comes.
func TestSweeper_ReapsAZombieOnceThePidfdThatHeldItIsClosed(t *testing.T) {
	if err := BecomeSubreaper(); err != nil {
		t.Fatal(err)
	}
	// The shell exits at once; its background sleep is re-parented to
	// this program.
	out, err := exec.Command("sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!").Output()
	if err != nil {
		t.Fatal(err)
	}
	orphan, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("orphan PID %q: %v", out, err)
	}
	t.Cleanup(func() { syscall.Kill(orphan, syscall.SIGKILL) })
	waitFor(t, "the orphan re-parented to this program", func() bool {
		ppid, _, err := parentAndGroup(orphan)
		return err == nil && ppid == os.Getpid()
	})

	pidfd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(orphan), 0, 0)
	if errno != 0 {
		t.Fatal(os.NewSyscallError("pidfd_open", errno))
	}
	if err := syscall.Kill(orphan, syscall.SIGKILL); err != nil {
		syscall.Close(int(pidfd))
		t.Fatal(err)
	}
	// Passed over while held: it stays a zombie.
	waitFor(t, "the orphan a zombie", func() bool { return state(orphan) == 'Z' })
	syscall.Close(int(pidfd))
	waitFor(t, "the zombie reaped", func() bool { return state(orphan) == 0 })
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// startWithEnv starts argv (found in PATH) with exactly env, its output
// discarded, and registers its cleanup.
func startWithEnv(t *testing.T, env []string, argv ...string) int {
	t.Helper()
	path, err := exec.LookPath(argv[0])
	if err != nil {
		t.Fatal(err)
	}
	cmd := &exec.Cmd{Path: path, Args: argv, Env: env}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd.Process.Pid
}

// TestHasEnv_FindsTheMarkOfAProcessThatKeepsExecing reads, again and
// again, the environment of a process that execs itself in a loop: an exec
// in progress must never pass for an environment without the mark, nor cut
// a long environment short before the mark.
func TestHasEnv_FindsTheMarkOfAProcessThatKeepsExecing(t *testing.T) {
	const mark = "GO_PROCESS_TEST_MARK=1"
	env := []string{"PATH=" + os.Getenv("PATH")}
	for i := range 200 { // far longer than one page of the environment
		env = append(env, "GO_PROCESS_TEST_FILLER_"+strconv.Itoa(i)+"="+strings.Repeat("x", 40))
	}
	env = append(env, mark)
	loop := `exec sh -c "$0" "$0"`
	pid := startWithEnv(t, env, "sh", "-c", loop, loop)
	for i := range 3000 {
		if !hasEnv(pid, []byte(mark)) {
			t.Fatalf("read %d: the mark of %d was not found", i, pid)
		}
	}
}

// TestHasEnv_AnEmptyEnvironmentHasNoMark: a process whose environment is
// really empty is not taken for one in the middle of an exec for ever.
func TestHasEnv_AnEmptyEnvironmentHasNoMark(t *testing.T) {
	pid := startWithEnv(t, []string{}, "sleep", "300")
	waitFor(t, "sleep to have exec'd", func() bool {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		return err == nil && strings.TrimSpace(string(data)) == "sleep"
	})
	if hasEnv(pid, []byte("GO_PROCESS_TEST_MARK=1")) {
		t.Fatal("an empty environment has the mark")
	}
}

// TestStart_ForkingThreadsAreNotTheMainThread: the children started on
// the forking threads are never children of the main thread, to which
// orphans go and whose children the sweeper looks at.
func TestStart_ForkingThreadsAreNotTheMainThread(t *testing.T) {
	var pids []int
	for range 4 * maxForkers {
		pids = append(pids, start(t, "sleep", "300").PID)
	}
	mainChildren := Children()
	for _, pid := range pids {
		if slices.Contains(mainChildren, pid) {
			t.Fatalf("child %d was forked by the main thread (its children: %v)", pid, mainChildren)
		}
	}
}
