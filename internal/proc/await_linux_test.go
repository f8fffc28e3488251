package proc

import (
	"os/exec"
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
