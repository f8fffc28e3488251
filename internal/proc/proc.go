// Package proc holds the operating-system specifics of starting, waiting for
// and signalling child processes and their process groups.
package proc

import "syscall"

// SignalGroup sends sig to every member of the process group pgid.
func SignalGroup(pgid int, sig syscall.Signal) error {
	if pgid <= 1 {
		return syscall.EINVAL
	}
	return syscall.Kill(-pgid, sig)
}

// GroupAlive reports whether the process group pgid still has a member
// that has not exited. Members that have exited but are not yet reaped
// (orphaned zombies wait for init) do not count.
func GroupAlive(pgid int) bool {
	if pgid <= 1 {
		return false
	}
	if err := syscall.Kill(-pgid, 0); err != nil && err != syscall.EPERM {
		return false
	}
	return groupHasLiveMember(pgid)
}
