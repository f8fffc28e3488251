package process

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

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
	input   *os.File       // the stdin pipe's writer, or the terminal master
	outputs []outputSource // what the parent reads
	child   []*os.File     // the child's ends, closed in the parent after start
}

// outputSource is one stream the parent reads from the child.
type outputSource struct {
	file   *os.File
	stream Stream
}

// closeParent closes the parent's ends, when the start failed.
func (s *stdio) closeParent() {
	if s.input != nil {
		s.input.Close()
	}
	for _, o := range s.outputs {
		if o.file != s.input {
			o.file.Close()
		}
	}
}

// closeChild closes the child's ends, which the parent must not hold.
func (s *stdio) closeChild() {
	for _, f := range s.child {
		f.Close()
	}
}

// openStdio connects cmd to new pipes, or to a new terminal for PTY.
// keepStdin keeps a stdin pipe for SendInput even without opts.Input.
func openStdio(cmd *exec.Cmd, opts RunOptions, keepStdin bool) (*stdio, error) {
	if opts.PTY {
		return openTerminal(cmd, opts)
	}
	s := &stdio{}
	for _, stream := range []Stream{StreamStdout, StreamStderr} {
		r, w, err := pipe.Output()
		if err != nil {
			s.closeParent()
			s.closeChild()
			return nil, fmt.Errorf("%s pipe: %w", stream, err)
		}
		s.outputs = append(s.outputs, outputSource{file: r, stream: stream})
		s.child = append(s.child, w)
	}
	cmd.Stdout, cmd.Stderr = s.child[0], s.child[1]
	if keepStdin || opts.Input != "" {
		r, w, err := pipe.Input()
		if err != nil {
			s.closeParent()
			s.closeChild()
			return nil, fmt.Errorf("stdin pipe: %w", err)
		}
		cmd.Stdin, s.input = r, w
		s.child = append(s.child, r)
	}
	// Without a stdin pipe, os/exec gives the child the null device: an
	// immediate end of file.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return s, nil
}

// openTerminal connects cmd to a new pseudo-terminal. The child becomes a
// session leader with the terminal as its controlling terminal, which also
// makes it a process group leader (Setpgid with a terminal fails: EPERM).
func openTerminal(cmd *exec.Cmd, opts RunOptions) (*stdio, error) {
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
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	return &stdio{
		input:   master,
		outputs: []outputSource{{file: master, stream: StreamPTY}},
		child:   []*os.File{tty},
	}, nil
}
