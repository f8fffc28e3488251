//go:build !linux

package proc

import (
	"errors"
	"syscall"
)

// Start reports that managing child processes needs Linux (pidfds and the
// parent-death signal).
func Start(path string, argv []string, attr *syscall.ProcAttr, dieWithParent bool) (Child, error) {
	return Child{}, errors.ErrUnsupported
}

// StartHere reports that managing child processes needs Linux.
func StartHere(path string, argv []string, attr *syscall.ProcAttr, dieWithParent bool) (Child, error) {
	return Child{}, errors.ErrUnsupported
}

// Reap is never reached outside Linux.
func Reap(pid int) (Exit, bool, error) { return Exit{}, false, errors.ErrUnsupported }

// SignalGroup is never reached outside Linux.
func SignalGroup(pidfd, pgid int, sig syscall.Signal) error { return errors.ErrUnsupported }

// IsOwnThread answers for this program's PID only outside Linux.
func IsOwnThread(id int) bool { return id == syscall.Getpid() }

// LiveGroups counts every group as live outside Linux.
func LiveGroups(pgids []int) map[int]bool {
	live := make(map[int]bool, len(pgids))
	for _, g := range pgids {
		live[g] = true
	}
	return live
}

// ThreadID is 0 outside Linux, where no process is ever supervised.
func ThreadID() int { return 0 }

// Discard is never reached outside Linux.
func Discard(c Child) {}
