package proc

import "syscall"

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
