package process

import (
	"errors"
	"fmt"
)

// Errors returned by the service and by Process methods. Compare with
// errors.Is: returned errors wrap them with the ID or action involved.
var (
	// ErrProcessNotFound reports an ID (or PID) the process table does not know.
	ErrProcessNotFound = errors.New("process not found")
	// ErrProcessNotRunning reports an operation that needs a running process.
	ErrProcessNotRunning = errors.New("process not running")
	// ErrStdinNotAvailable reports input sent to a process whose stdin is
	// closed or was never a pipe.
	ErrStdinNotAvailable = errors.New("stdin not available")
	// ErrShuttingDown reports a start refused because the service is
	// shutting down (OnShutdown has begun).
	ErrShuttingDown = errors.New("process service is shutting down")
)

// ExitError reports a process that ran but did not exit with status 0.
// Output holds what the process printed (the retained part of its combined
// output), so callers can show it.
type ExitError struct {
	// Code is the exit status, or -1 when a signal ended the process.
	Code int
	// Signal names the signal that ended the process ("SIGKILL"), or is empty.
	Signal string
	// Output is the captured combined stdout and stderr.
	Output string

	stoppedWith string // the stop signal this service sent, if it stopped the process
}

// Error describes how the process ended, and how this service stopped it
// if it did.
func (e *ExitError) Error() string {
	var ended string
	if e.Signal != "" {
		ended = "ended by signal " + e.Signal
	} else {
		ended = fmt.Sprintf("exited with status %d", e.Code)
	}
	if e.stoppedWith != "" && e.stoppedWith != e.Signal {
		return "process stopped with " + e.stoppedWith + "; " + ended
	}
	return "process " + ended
}
