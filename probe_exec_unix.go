//go:build unix && !linux

package process

import (
	"os/exec"
	"syscall"
)

// isolateProbe puts an Exec probe's command in a process group of its own,
// killed as a whole when the check is cancelled (the leader is not reaped
// before then, so its PID is still its group's).
func isolateProbe(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
