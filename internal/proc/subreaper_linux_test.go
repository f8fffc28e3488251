package proc

import (
	"os"
	"os/exec"
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
