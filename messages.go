package process

import "time"

// Stream names where a line of output came from.
type Stream string

// The output streams of a process.
const (
	StreamStdout Stream = "stdout"
	StreamStderr Stream = "stderr"
	// StreamPTY is the terminal of a process started with PTY: stdout and
	// stderr arrive merged, as a person at the terminal would see them.
	StreamPTY Stream = "pty"
)

// ActionProcessStarted is broadcast once a process has started.
type ActionProcessStarted struct {
	ID      string
	Command string
	Args    []string
	Dir     string
	PID     int
}

// ActionProcessOutput is broadcast for every line a process writes, in
// order, without its line terminator. All output events of a process are
// broadcast before its ActionProcessExited.
//
// The Lines of one read share their memory, up to 4 KiB: keeping one Line
// keeps that block alive. A handler that keeps a few lines of a large
// stream for long can keep strings.Clone(Line) instead.
type ActionProcessOutput struct {
	ID     string
	Line   string
	Stream Stream
}

// ActionProcessExited is broadcast once a process has ended and all its
// output has been delivered, before Wait returns: when Wait returns, every
// event of the process has been broadcast. Its Info is final by then, but a
// handler must not wait for the process itself (Wait, Done, process.wait).
type ActionProcessExited struct {
	ID       string
	ExitCode int
	Duration time.Duration
	// Error is nil for exit status 0, an *ExitError otherwise.
	Error error
}

// ActionProcessKilled is broadcast, just before ActionProcessExited, when a
// process ended because this service stopped it.
type ActionProcessKilled struct {
	ID     string
	Signal string
}
