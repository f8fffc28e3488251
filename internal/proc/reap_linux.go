package proc

import (
	"syscall"
	"time"
)

// Reap reaps the child pid if it has exited, without waiting for it, and
// reports whether it had. After a successful Reap the PID may be reused:
// signal the child's group only through its pidfd (SignalGroup).
func Reap(pid int) (Exit, bool, error) {
	return reap(pid, syscall.WNOHANG)
}

func reap(pid int, options int) (Exit, bool, error) {
	var e Exit
	for {
		wpid, err := syscall.Wait4(pid, &e.Status, options, &e.Usage)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return Exit{}, false, err
		}
		return e, wpid == pid, nil
	}
}

// Discard kills a child that will not be used, reaps it and closes its
// pidfd.
func Discard(c Child) {
	_ = syscall.Kill(c.PID, syscall.SIGKILL)
	_, _, _ = reap(c.PID, 0)
	syscall.Close(c.PidFD)
}

// CPU returns the CPU time, user and system, of the reaped child and of the
// descendants it waited for.
func (e Exit) CPU() time.Duration {
	return time.Duration(e.Usage.Utime.Nano() + e.Usage.Stime.Nano())
}

// MaxRSS returns the reaped child's peak resident set, in bytes.
func (e Exit) MaxRSS() int64 {
	return e.Usage.Maxrss * 1024 // Linux reports kilobytes
}

// Kill sends sig to process pid, by its number.
func Kill(pid int, sig syscall.Signal) error { return syscall.Kill(pid, sig) }

// Exists reports whether a process, or a zombie, has the PID.
func Exists(pid int) bool { return syscall.Kill(pid, 0) != syscall.ESRCH }

// ClosePidfd closes a pidfd.
func ClosePidfd(pidfd int) error { return syscall.Close(pidfd) }

// SIGCONT continues a stopped process.
const SIGCONT = syscall.SIGCONT
