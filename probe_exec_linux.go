package process

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// isolateProbe puts an Exec probe's command in a process group of its own,
// killed as a whole when the check is cancelled (the leader is not reaped
// before then, so its PID is still its group's), and has it die with this
// program.
func isolateProbe(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

// probeAnswered reports whether the probe command pid has exited: it is a
// zombie, or its waiter has already reaped it.
func probeAnswered(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return errors.Is(err, fs.ErrNotExist) || deadUnreaped(pid)
}
