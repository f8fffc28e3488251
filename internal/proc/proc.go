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

// GroupAlive reports whether the process group pgid still has a member.
func GroupAlive(pgid int) bool {
	if pgid <= 1 {
		return false
	}
	err := syscall.Kill(-pgid, 0)
	return err == nil || err == syscall.EPERM
}
