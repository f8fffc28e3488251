package process

import (
	"fmt"
	"io"

	core "dappco.re/go/core"
)

// The caller's own receivers of a process's output: RunOptions.Stdout and
// Stderr, which get the bytes, and RunOptions.OnOutput, which gets the
// lines. The supervisor calls them, one at a time, as output arrives.

// copyOut writes chunk to the stream's writer. A writer that fails, or
// writes less than it was given, gets nothing more; its error is kept for
// Wait and Run.
func (st *stream) copyOut(p *Process, chunk []byte) {
	n, err := st.copyTo.Write(chunk)
	if err == nil && n != len(chunk) {
		err = io.ErrShortWrite
	}
	if err == nil {
		return
	}
	st.copyTo = nil
	p.outputLost(fmt.Errorf("process %s: %s writer: %w", p.ID, st.stream, err))
}

// checkLost records, once the stream has ended, that output written to it
// may have been lost: the file system of the output file was full at some
// point while the stream was followed.
func (st *stream) checkLost(p *Process) {
	if st.lost == nil {
		return
	}
	if err := st.lost(); err != nil {
		p.outputLost(fmt.Errorf("process %s: output may be lost: output file %w", p.ID, err))
	}
}

// outputLost records err as the loss of output that Wait and Run report
// when the process itself succeeded, unless an earlier loss was recorded.
func (p *Process) outputLost(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lostOutput == nil {
		p.lostOutput = err
	}
}

// callOnOutput calls fn with msg, recovering and logging a panic so that a
// faulty callback loses no output and does not stop the supervisor.
func (p *Process) callOnOutput(fn func(ActionProcessOutput), msg ActionProcessOutput) {
	defer func() {
		if r := recover(); r != nil {
			core.Error("process: OnOutput panicked", "id", p.ID, "panic", r)
		}
	}()
	fn(msg)
}
