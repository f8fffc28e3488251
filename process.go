package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"dappco.re/go/core/process/internal/output"
	"dappco.re/go/core/process/internal/term"
)

// RunOptions describes a process to start or run.
type RunOptions struct {
	// Command is the program to run: a path, or a name looked up in PATH.
	Command string
	// Args are the arguments, not including the command itself.
	Args []string
	// Dir is the working directory; empty means the caller's.
	Dir string
	// Env is appended to the parent environment ("KEY=value" items); a
	// key given here replaces the parent's value.
	Env []string
	// DisableCapture keeps no output buffer: Output returns "". Output
	// events are still broadcast.
	DisableCapture bool
	// Detach makes the process independent of the caller's context and lets
	// it survive the death of this program. Its output goes to a file
	// (ProcessInfo.OutputFile), which it keeps writing to after this
	// program has gone. Detach cannot be combined with PTY. A file system
	// with no space left is refused at the start (an error matching
	// syscall.ENOSPC); one that fills up while the process writes loses
	// what it writes next, and Wait then returns an error matching
	// syscall.ENOSPC if the process itself succeeded.
	Detach bool
	// Timeout, when positive, stops the process gracefully after it.
	Timeout time.Duration
	// GracePeriod is the time between the polite signal (SIGTERM) and
	// SIGKILL when the process is stopped; 0 means the service default.
	GracePeriod time.Duration
	// KillGroup is kept for compatibility: every managed process leads its
	// own process group and is always stopped as a group.
	KillGroup bool
	// PTY runs the process on a pseudo-terminal.
	PTY bool
	// Rows and Cols size the terminal of a PTY process; 0 means 24×80.
	Rows, Cols uint16
	// Input is written to the process's stdin, which is then closed.
	Input string
	// OutputLimit bounds, in bytes, the output the process keeps; 0 means
	// no bound for Run and Options.BufferSize for Start. Run returns the
	// complete output by default; with a bound, a process that writes
	// more fails Run with an *OutputTruncatedError (matching
	// ErrOutputTruncated) that carries the newest OutputLimit bytes. For
	// Start it sizes the retained output (the newest bytes, read with
	// Output), and writing more is not an error.
	OutputLimit int
	// Stdout and Stderr, when set, receive the child's output as it
	// arrives, as exec.Cmd's do. They are attached before the child starts,
	// are called from one goroutine at a time, and have received
	// everything by the time Wait, Done or Run returns; a slow writer
	// slows the process. A writer that fails gets nothing more, and Wait
	// (or Run) returns its error if the process itself succeeded.
	//
	// Start gives the child two pipes. Run gives it one for both streams,
	// as 2>&1 does, so its output keeps the order it was written in:
	// everything then goes to Stdout, and its lines are StreamStdout
	// events. Setting Stderr to a writer other than Stdout makes Run keep
	// two pipes: Stderr gets stderr, and Run's value interleaves the two
	// streams in the order they were read, which need not be the order
	// they were written. A terminal (PTY) or a detached process's output
	// file is one stream, which goes to Stdout.
	Stdout, Stderr io.Writer
	// OnOutput, when set, is called with every line of this process, and
	// of no other, in order, just before the line is broadcast as an
	// ActionProcessOutput. Like Stdout and Stderr, it is attached before
	// the child starts and has seen every line by the time Wait, Done or
	// Run returns. A panic in it is recovered and logged.
	OnOutput func(ActionProcessOutput)
}

// Status is the lifecycle state of a process.
type Status string

// Process states.
const (
	StatusPending Status = "pending"
	StatusRunning Status = "running"
	StatusExited  Status = "exited"
	StatusFailed  Status = "failed"
	StatusKilled  Status = "killed"
)

// ProcessInfo is a snapshot of a process, safe to keep and to encode as JSON.
type ProcessInfo struct {
	ID        string        `json:"id"`
	Command   string        `json:"command"`
	Args      []string      `json:"args"`
	Dir       string        `json:"dir"`
	StartedAt time.Time     `json:"startedAt"`
	Running   bool          `json:"running"`
	Status    Status        `json:"status"`
	ExitCode  int           `json:"exitCode"`
	Signal    string        `json:"signal"`
	Duration  time.Duration `json:"duration"`
	PID       int           `json:"pid"`
	PTY       bool          `json:"pty"`
	// OutputFile is the file a Detach'ed process writes its output to.
	OutputFile string `json:"outputFile,omitempty"`
	// Error is the reason a process failed, when Status is failed, and
	// otherwise why some of its output was lost: a Stdout or Stderr
	// writer failed, or the file system of its OutputFile was full.
	Error string `json:"error,omitempty"`
	// Containment is how the process's descendants are held.
	Containment Containment `json:"containment"`
	// CPU is the CPU time the process has used: in ContainmentCgroup, with
	// every descendant it has had; in ContainmentGroup, with the
	// descendants it has waited for.
	CPU time.Duration `json:"cpu"`
	// MaxRSS is the most memory, in bytes, the process has held at once:
	// its cgroup's peak where the memory controller is enabled for it,
	// else the leader's peak resident set.
	MaxRSS int64 `json:"maxRss"`
}

// ManagedProcess is another name for Process.
type ManagedProcess = Process

// Info is another name for ProcessInfo, the anchor's.
type Info = ProcessInfo

// Process is one managed child process. Its exported fields never change
// after start; everything that does is read through methods, which are safe
// for concurrent use.
type Process struct {
	ID        string
	Command   string
	Args      []string
	Dir       string
	Env       []string
	StartedAt time.Time
	PID       int

	pty        bool
	grace      time.Duration
	outputFile string
	detached   bool        // its descendants are left alone when the leader ends
	contained  Containment // how its descendants are held
	adopted    bool        // left by an earlier instance: not a child of this program

	exited   chan struct{} // closed once the leader has exited and been reaped
	done     chan struct{} // closed once its output and exit event have been delivered
	bindings []*binding    // stops armed by a timeout or the start context

	// deliverer is the thread delivering this process's events while it
	// does (0 otherwise), so a handler that waits for the process can be
	// told from everyone else.
	deliverer atomic.Int32
	// sup follows the process until it has ended; it is used by the
	// goroutine delivering the process's events only (see drain.go).
	sup *supervisor

	mu         sync.Mutex
	state      state
	exit       exitRecord
	stopSignal string // the last stop signal that reached the running leader
	group      group
	capture    *output.Ring
	// lostOutput is the first loss of output: a Stdout or Stderr writer
	// that failed, or a full file system under the output file.
	lostOutput error

	stdinMu sync.Mutex
	stdin   *os.File // stdin pipe, or the terminal master for PTY

	retired bool // ended and counted as finished by the table; guarded by the table's lock
}

// Info returns a snapshot of the process.
func (p *Process) Info() ProcessInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.observeExitLocked()
	info := p.infoLocked()
	info.CPU, info.MaxRSS = p.usageLocked()
	return info
}

// infoLocked is the snapshot without the usage, which costs reading the
// kernel's accounts.
func (p *Process) infoLocked() ProcessInfo {
	info := ProcessInfo{
		ID:          p.ID,
		Command:     p.Command,
		Args:        p.Args,
		Dir:         p.Dir,
		StartedAt:   p.StartedAt,
		Running:     p.state == stateRunning,
		Status:      p.statusLocked(),
		ExitCode:    p.exit.code,
		Signal:      p.exit.signal,
		PID:         p.PID,
		PTY:         p.pty,
		OutputFile:  p.outputFile,
		Containment: p.contained,
	}
	switch {
	case p.exit.err != nil:
		info.Error = p.exit.err.Error()
	case p.lostOutput != nil:
		info.Error = p.lostOutput.Error()
	}
	if p.state == stateRunning {
		info.Duration = time.Since(p.StartedAt)
	} else {
		info.Duration = p.exit.at.Sub(p.StartedAt)
	}
	return info
}

// IsRunning reports whether the process has not yet exited. It turns false
// as soon as the process exits, whether or not anyone reads its output.
func (p *Process) IsRunning() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.observeExitLocked() == stateRunning
}

// Done returns a channel closed once the process has ended, been reaped and
// had all its output and its exit event delivered.
func (p *Process) Done() <-chan struct{} {
	return p.done
}

// Wait blocks until the process has ended and returns nil for exit status
// 0, an *ExitError for any other ending, or the reason waiting failed.
//
// Wait returns once every event of the process has been delivered, except
// when a handler of one of those events (OnOutput included) calls it: it
// then returns once the process has exited, with the output captured so
// far. Meanwhile it goes on reading the process's output, so a process
// that writes more than a pipe holds still gets to its exit; what it reads
// is kept in memory and delivered, in order, after the handler returns.
func (p *Process) Wait() error {
	if err := p.awaitEnd(context.Background()); err != nil {
		return err
	}
	return p.result()
}

// result is the outcome of a process that has exited.
func (p *Process) result() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.resultLocked()
}

func (p *Process) resultLocked() error {
	switch {
	case p.exit.err != nil:
		return p.exit.err
	case p.exit.code == 0 && p.exit.signal == "" && p.stopSignal == "":
		return p.lostOutput
	}
	exitErr := &ExitError{Code: p.exit.code, Signal: p.exit.signal, stoppedWith: p.stopSignal}
	if p.capture != nil {
		exitErr.Output = p.capture.String()
	}
	return exitErr
}

// Output returns the retained part of the combined stdout and stderr: the
// newest Options.BufferSize bytes (or RunOptions.OutputLimit). A process
// run with Run kept all of its output until Run returned.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.capture == nil {
		return ""
	}
	return p.capture.String()
}

// OutputBytes returns a copy of what Output returns, or nil when nothing
// was retained.
func (p *Process) OutputBytes() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.capture == nil {
		return nil
	}
	return p.capture.Bytes()
}

// Signal sends sig to every member of the process's group: the leader and
// the descendants its containment holds (see Containment). Once the leader
// has exited, it reaches the members still alive, and fails with
// ErrProcessNotRunning when there are none; it never reaches a process
// that merely reuses an old PID. SIGKILL counts as a kill: the process then
// ends with status killed. A number that is no signal (outside 0..64)
// fails, naming it, and nothing is sent.
func (p *Process) Signal(sig os.Signal) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return fmt.Errorf("process %s: signal %v: not a system signal", p.ID, sig)
	}
	return p.sendSignal(s, false)
}

// Kill sends SIGKILL to every member of the process's group — in
// ContainmentCgroup, to every descendant at once — and returns; Wait or
// Done tell when it has ended. Killing a process that has already exited,
// with no member of its group left alive, does nothing and returns
// ErrProcessNotRunning.
func (p *Process) Kill() error {
	return p.sendSignal(syscall.SIGKILL, true)
}

// SendInput writes input to the process's stdin (its terminal in PTY mode).
func (p *Process) SendInput(input string) error {
	f := p.input()
	if f == nil {
		return p.stdinError("send input")
	}
	if _, err := f.WriteString(input); err != nil {
		if errors.Is(err, os.ErrClosed) || errors.Is(err, syscall.EPIPE) {
			return p.stdinError("send input")
		}
		return p.wrap("send input", err)
	}
	return nil
}

// CloseStdin signals end of input. For a pipe it closes stdin; for a
// terminal it sends the end-of-file character (Ctrl-D), as a person would,
// and the terminal stays open for more input.
func (p *Process) CloseStdin() error {
	if p.pty {
		return p.SendInput(string(rune(ctrlD)))
	}
	if !p.closeInput() {
		return p.stdinError("close stdin")
	}
	return nil
}

// input returns the open stdin, or nil.
func (p *Process) input() *os.File {
	p.stdinMu.Lock()
	defer p.stdinMu.Unlock()
	return p.stdin
}

// closeInput ends input for good: no more is sent. A stdin pipe is closed;
// a terminal master is also the output stream, which the supervisor
// closes. It reports whether input was still open.
func (p *Process) closeInput() bool {
	p.stdinMu.Lock()
	f := p.stdin
	p.stdin = nil
	p.stdinMu.Unlock()
	if f != nil && !p.pty {
		f.Close()
	}
	return f != nil
}

// stdinError explains why stdin cannot be used.
func (p *Process) stdinError(op string) error {
	if !p.IsRunning() {
		return p.errNotRunning(op)
	}
	return fmt.Errorf("process %s: %s: %w", p.ID, op, ErrStdinNotAvailable)
}

// ctrlD is the default end-of-file character of a terminal (VEOF).
const ctrlD = 0x04

// Resize changes the terminal size of a PTY process; the child receives
// SIGWINCH.
func (p *Process) Resize(rows, cols uint16) error {
	if !p.pty {
		return fmt.Errorf("process %s: resize: not started with a PTY", p.ID)
	}
	if rows == 0 || cols == 0 {
		return fmt.Errorf("process %s: resize: rows and cols must be positive, got %dx%d", p.ID, rows, cols)
	}
	master := p.input()
	if master == nil || !p.IsRunning() {
		return p.errNotRunning("resize")
	}
	if err := term.SetSize(master, rows, cols); err != nil {
		return p.wrap("resize", err)
	}
	return nil
}

// errNotRunning wraps ErrProcessNotRunning with the process ID.
func (p *Process) errNotRunning(op string) error {
	return fmt.Errorf("process %s: %s: %w", p.ID, op, ErrProcessNotRunning)
}

// wrap adds the process ID and the operation to err.
func (p *Process) wrap(op string, err error) error {
	return fmt.Errorf("process %s: %s: %w", p.ID, op, err)
}
