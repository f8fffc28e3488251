//go:build !linux

package proc

import (
	"context"
	"errors"
	"syscall"
	"time"
)

// Start reports that managing child processes needs Linux (pidfds and the
// parent-death signal).
func Start(ctx context.Context, path string, argv []string, attr *syscall.ProcAttr, dieWithParent bool) (Child, error) {
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

// BecomeSubreaper does nothing outside Linux, where no process is ever
// started.
func BecomeSubreaper() error { return nil }

// Children finds no child outside Linux.
func Children() []int { return nil }

// Strays finds no orphan outside Linux.
func Strays(marker string, skip func(pid int) bool) []int { return nil }

// SignalStray is never reached outside Linux.
func SignalStray(pid int, sig syscall.Signal) error { return errors.ErrUnsupported }

// StartTime is not known outside Linux.
func StartTime(pid int) (uint64, error) { return 0, errors.ErrUnsupported }

// Usage is not known outside Linux.
func Usage(pid int) (cpu time.Duration, peakRSS int64) { return 0, 0 }

// CPU is not known outside Linux.
func (e Exit) CPU() time.Duration { return 0 }

// MaxRSS is not known outside Linux.
func (e Exit) MaxRSS() int64 { return 0 }

// Kill is never reached outside Linux.
func Kill(pid int, sig syscall.Signal) error { return errors.ErrUnsupported }

// Exists answers no outside Linux, where no process is ever started.
func Exists(pid int) bool { return false }

// ClosePidfd is never reached outside Linux.
func ClosePidfd(pidfd int) error { return errors.ErrUnsupported }

// SIGCONT is Linux's number, never sent outside Linux.
const SIGCONT = syscall.Signal(0x12)
