//go:build unix

package process

import "syscall"

// groupLeaderAttr makes the child the leader of a new process group.
func groupLeaderAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// terminalLeaderAttr makes the child a session leader with its stdin
// terminal as the controlling terminal, which also makes it a process
// group leader (Setpgid with a terminal fails: EPERM).
func terminalLeaderAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
}
