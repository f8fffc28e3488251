package process

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"dappco.re/go/core/process/internal/follow"
	"dappco.re/go/core/process/internal/pipe"
	"dappco.re/go/core/process/internal/term"
)

// Default terminal size of a PTY process.
const (
	defaultRows = 24
	defaultCols = 80
)

// stdio holds a child's standard streams while it is being started.
type stdio struct {
	child   [3]*os.File    // the child's stdin, stdout and stderr
	input   *os.File       // the parent's end of stdin: a pipe's writer or the terminal master
	outputs []outputSource // what the parent reads
	// inputIsOutput: input is the terminal master, which the output
	// source closes.
	inputIsOutput bool
	sys           *syscall.SysProcAttr
}

// outputSource is one output stream the parent reads.
type outputSource struct {
	stream Stream
	fd     int // becomes readable when there is something to read, or the end
	// read reads what is ready, up to about limit bytes, and reports false
	// once the stream has ended.
	read  func(limit int, fn func([]byte)) bool
	close func() error
	// copyTo, when set, receives the bytes as they arrive
	// (RunOptions.Stdout or Stderr).
	copyTo io.Writer
	// onLine, when set, receives each line (RunOptions.OnOutput).
	onLine func(ActionProcessOutput)
	// lost, when set, tells whether output the child wrote may have been
	// lost: its output file's file system was full.
	lost func() error
}

// files returns the child's descriptors, as syscall.ProcAttr wants them.
// Fd puts each in blocking mode, which a child expects (Go opens a terminal
// non-blocking, and the mode is shared with the child).
func (s *stdio) files() []uintptr {
	fds := make([]uintptr, len(s.child))
	for i, f := range s.child {
		fds[i] = f.Fd()
	}
	return fds
}

// closeChild closes the child's ends, which the parent must not hold once
// the child has started (or failed to).
func (s *stdio) closeChild() {
	for i, f := range s.child {
		if f != nil && (i == 0 || f != s.child[i-1]) {
			f.Close()
		}
	}
}

// closeParent closes the parent's ends, when the start failed.
func (s *stdio) closeParent() {
	if s.input != nil && !s.inputIsOutput {
		s.input.Close()
	}
	for _, o := range s.outputs {
		o.close()
	}
}

// openStdio connects a child to new pipes, to a new terminal for PTY, or,
// when outputFile is set, writes its output to that file, and attaches the
// caller's writers and line callback to the output. The mode decides
// whether the child keeps a stdin pipe for SendInput even without
// opts.Input, and whether stdout and stderr share one pipe.
func openStdio(opts RunOptions, mode launchMode, outputFile string) (*stdio, error) {
	var s *stdio
	var err error
	if opts.PTY {
		s, err = openTerminal(opts)
	} else {
		s, err = openStreams(opts, mode, outputFile)
	}
	if err != nil {
		return nil, err
	}
	s.attach(opts)
	return s, nil
}

// attach gives each output the caller's writer for its stream (Stdout
// for everything but a stderr of its own) and line callback.
func (s *stdio) attach(opts RunOptions) {
	for i := range s.outputs {
		o := &s.outputs[i]
		o.copyTo = opts.Stdout
		if o.stream == StreamStderr {
			o.copyTo = opts.Stderr
		}
		o.onLine = opts.OnOutput
	}
}

// openStreams connects a child to pipes, or its output to outputFile.
// When it fails, everything it opened is closed again.
func openStreams(opts RunOptions, mode launchMode, outputFile string) (*stdio, error) {
	s := &stdio{sys: groupLeaderAttr()}
	if err := s.openStreams(opts, mode, outputFile); err != nil {
		s.closeChild()
		s.closeParent()
		return nil, err
	}
	return s, nil
}

// openStreams opens the streams into s; what it opened before failing
// stays in s, for the caller to close.
func (s *stdio) openStreams(opts RunOptions, mode launchMode, outputFile string) error {
	if err := s.openInput(mode.keepsStdin() || opts.Input != ""); err != nil {
		return err
	}
	if outputFile != "" {
		return s.openOutputFile(outputFile)
	}
	if mode.mergesOutput(opts) {
		// One pipe for both, as 2>&1: the output stays in the order the
		// child wrote it.
		r, w, err := pipe.Output()
		if err != nil {
			return fmt.Errorf("output pipe: %w", err)
		}
		s.child[1], s.child[2] = w, w
		s.outputs = append(s.outputs, pipeSource(r, StreamStdout))
		return nil
	}
	for i, stream := range []Stream{StreamStdout, StreamStderr} {
		r, w, err := pipe.Output()
		if err != nil {
			return fmt.Errorf("%s pipe: %w", stream, err)
		}
		s.child[1+i] = w
		s.outputs = append(s.outputs, pipeSource(r, stream))
	}
	return nil
}

// openInput gives the child a stdin pipe, or else the null device: an
// immediate end of file.
func (s *stdio) openInput(withPipe bool) error {
	if !withPipe {
		null, err := os.Open(os.DevNull)
		if err != nil {
			return fmt.Errorf("stdin: %w", err)
		}
		s.child[0] = null
		return nil
	}
	r, w, err := pipe.Input()
	if err != nil {
		return fmt.Errorf("stdin pipe: %w", err)
	}
	s.child[0], s.input = r, w
	return nil
}

// openOutputFile sends stdout and stderr to a new file at path, which the
// parent follows. The child keeps writing to it after this program has
// gone, where a pipe would kill it with SIGPIPE. A file system with no
// space left is refused: the child's writes would all fail, unseen.
func (s *stdio) openOutputFile(path string) error {
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("output file: %w", err)
	}
	s.child[1], s.child[2] = w, w
	f, err := follow.Open(path)
	if err == nil {
		if err = f.NoSpace(); err != nil {
			f.Close()
		}
	}
	if err != nil {
		return errors.Join(fmt.Errorf("output file: %w", err), os.Remove(path))
	}
	s.outputs = append(s.outputs, outputSource{stream: StreamStdout, fd: f.FD(), read: f.ReadReady, close: f.Close, lost: f.NoSpace})
	return nil
}

// pipeSource reads the parent's end of an output pipe.
func pipeSource(r *os.File, stream Stream) outputSource {
	fd := descriptor(r)
	return outputSource{
		stream: stream,
		fd:     fd,
		read:   func(limit int, fn func([]byte)) bool { return pipe.ReadReady(fd, limit, fn) },
		close:  r.Close,
	}
}

// descriptor returns f's descriptor without changing its mode (os.File.Fd
// would make it blocking). It stays valid until f is closed.
func descriptor(f *os.File) int {
	fd := -1
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(u uintptr) { fd = int(u) })
	}
	return fd
}

// openTerminal connects a child to a new pseudo-terminal, which becomes
// its controlling terminal.
func openTerminal(opts RunOptions) (*stdio, error) {
	rows, cols := opts.Rows, opts.Cols
	if rows == 0 {
		rows = defaultRows
	}
	if cols == 0 {
		cols = defaultCols
	}
	master, tty, err := term.Open(rows, cols)
	if err != nil {
		return nil, err
	}
	return &stdio{
		child:         [3]*os.File{tty, tty, tty},
		input:         master,
		outputs:       []outputSource{pipeSource(master, StreamPTY)},
		inputIsOutput: true,
		sys:           terminalLeaderAttr(),
	}, nil
}
