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
}

// Error describes how the process ended.
func (e *ExitError) Error() string {
	if e.Signal != "" {
		return "process ended by signal " + e.Signal
	}
	return fmt.Sprintf("process exited with status %d", e.Code)
}
