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
	if !AwaitExit(cmd.Process.Pid) {
		t.Fatal("AwaitExit did not wait")
	}
	if got := state(cmd.Process.Pid); got != 'Z' {
		t.Fatalf("state after AwaitExit = %q, want zombie 'Z'", got)
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
	if !AwaitExit(pid) {
		t.Fatal("AwaitExit did not wait")
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
