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
	// ErrOutputTruncated reports a Run whose output went over
	// RunOptions.OutputLimit. The error is an *OutputTruncatedError, which
	// holds the output kept.
	ErrOutputTruncated = errors.New("process output truncated")
)

// OutputTruncatedError reports a Run (or process.run) whose process wrote
// more than RunOptions.OutputLimit bytes. It matches ErrOutputTruncated
// with errors.Is; when the process also failed, it wraps how (an
// *ExitError, found with errors.As).
type OutputTruncatedError struct {
	// Limit is the bound that was exceeded, in bytes.
	Limit int
	// Written is how many bytes the process wrote in all.
	Written int64
	// Output is what was kept: the newest Limit bytes of the combined
	// output.
	Output string
	// Err is how the process failed, or nil when it exited with status 0.
	Err error
}

// Error says how much output was dropped, and how the process failed if
// it did.
func (e *OutputTruncatedError) Error() string {
	msg := fmt.Sprintf("%v: wrote %d bytes, over the limit of %d; kept the last %d",
		ErrOutputTruncated, e.Written, e.Limit, len(e.Output))
	if e.Err != nil {
		msg += "; " + e.Err.Error()
	}
	return msg
}

// Is reports whether target is ErrOutputTruncated.
func (e *OutputTruncatedError) Is(target error) bool { return target == ErrOutputTruncated }

// Unwrap returns how the process failed, or nil.
func (e *OutputTruncatedError) Unwrap() error { return e.Err }

// ExitError reports a process that ran but did not exit with status 0.
// Output holds what the process printed, so callers can show it: for Run,
// all of it (up to RunOptions.OutputLimit); for a started process, the
// part it retained.
type ExitError struct {
	// Code is the exit status, or -1 when a signal ended the process.
	Code int
	// Signal names the signal that ended the process ("SIGKILL"), or is empty.
	Signal string
	// Output is the captured stdout and stderr.
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
