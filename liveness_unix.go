//go:build unix && !linux

package process

import "syscall"

// pidExists reports whether a process with this PID exists (signal 0
// reaches it, or it exists and belongs to someone else).
func pidExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
