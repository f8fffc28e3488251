// Package proc holds the operating-system specifics of starting, reaping
// and signalling child processes and their process groups.
package proc

import "syscall"

// Child is a started child process.
type Child struct {
	// PID is the child's process ID, which stays reserved until the
	// child is reaped.
	PID int
	// PidFD refers to the child for as long as it is open, also after the
	// child has been reaped and its PID reused. It becomes readable once
	// the child has exited. The caller owns it.
	PidFD int
}

// Exit is how a reaped child ended.
type Exit struct {
	Status syscall.WaitStatus
	// Usage is the resource usage of the child and of the descendants it
	// waited for.
	Usage syscall.Rusage
}
