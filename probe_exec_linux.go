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
// zombie, or its waiter has already reaped it. One read decides, since the
// waiter may reap the zombie at any moment: a process gone between two
// looks must not count as still running.
func probeAnswered(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH)
	}
	return statDead(data)
}
