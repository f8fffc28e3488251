package proc

import (
	"os/exec"
	"syscall"
	"testing"
)

func TestAwaitExit_LeavesZombieUntilReaped(t *testing.T) {
	cmd := exec.Command("sh", "-c", "exit 3")
	if err := Start(cmd, true); err != nil {
		t.Fatal(err)
	}
	if !awaitExit(cmd.Process.Pid) {
		t.Fatal("awaitExit did not wait")
	}
	if got := state(cmd.Process.Pid); got != 'Z' {
		t.Fatalf("state after awaitExit = %q, want zombie 'Z'", got)
	}
	err := cmd.Wait()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 3 {
		t.Fatalf("Wait = %v, want exit status 3", err)
	}
}

func TestGroupAlive_IgnoresUnreapedZombies(t *testing.T) {
	cmd := exec.Command("sh", "-c", "exit 0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := Start(cmd, true); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !awaitExit(pid) {
		t.Fatal("awaitExit did not wait")
	}
	// The leader is a zombie: its group still exists for kill(2) ...
	if err := syscall.Kill(-pid, 0); err != nil {
		t.Fatalf("kill(-pgid, 0) = %v, want the zombie to keep the group", err)
	}
	// ... but no member is alive.
	if GroupAlive(pid) {
		t.Fatal("GroupAlive counted a zombie as alive")
	}
	cmd.Wait()
}

func TestExitFD_ReadableOnceTheChildHasExited(t *testing.T) {
	cmd := exec.Command("sh", "-c", "read line")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := Start(cmd, true); err != nil {
		t.Fatal(err)
	}
	fd, err := ExitFD(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	assertExitReported(t, fd, cmd, stdin.Close)
}

func TestExitPipe_ReadableOnceTheChildHasExited(t *testing.T) {
	// The fallback for kernels without pidfds.
	cmd := exec.Command("sh", "-c", "read line")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := Start(cmd, true); err != nil {
		t.Fatal(err)
	}
	fd, err := exitPipe(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	assertExitReported(t, fd, cmd, stdin.Close)
}

// assertExitReported checks fd is not readable while the child runs, is
// readable after end (which makes the child exit), and that the child is
// then a zombie until reaped.
func assertExitReported(t *testing.T, fd int, cmd *exec.Cmd, end func() error) {
	t.Helper()
	if readable(t, fd, 0) {
		t.Fatal("exit reported while the child runs")
	}
	end()
	if !readable(t, fd, 10000) {
		t.Fatal("exit not reported within 10s")
	}
	if got := state(cmd.Process.Pid); got != 'Z' {
		t.Fatalf("state = %q, want a zombie until reaped", got)
	}
	cmd.Wait()
}

func readable(t *testing.T, fd int, timeoutMs int) bool {
	t.Helper()
	var set syscall.FdSet
	set.Bits[fd/64] |= 1 << (uint(fd) % 64)
	tv := syscall.NsecToTimeval(int64(timeoutMs) * 1e6)
	n, err := syscall.Select(fd+1, &set, nil, nil, &tv)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestStart_DieWithParentSetsParentDeathSignal(t *testing.T) {
	cmd := exec.Command("true")
	if err := Start(cmd, true); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	if cmd.SysProcAttr.Pdeathsig != syscall.SIGKILL {
		t.Fatalf("Pdeathsig = %v, want SIGKILL", cmd.SysProcAttr.Pdeathsig)
	}
}
