package process

import (
	"io"
	"math"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/output"
)

// How much output a process keeps, and what Run makes of it.
//
// Start keeps the newest Options.BufferSize bytes (or OutputLimit) of each
// process in a ring that grows as output arrives. Run keeps everything, or
// the newest OutputLimit bytes, and its caller gets all of it; once Run
// has returned, the process table holds on to the newest BufferSize bytes
// only, as for a started process.

// captureLimit is how many bytes of output a process started in mode
// keeps.
func (s *Service) captureLimit(opts RunOptions, mode launchMode) int {
	switch {
	case opts.OutputLimit > 0:
		return opts.OutputLimit
	case mode == foreground:
		return math.MaxInt // everything: the ring grows as a plain buffer
	}
	return s.bufferSize()
}

// newCapture returns the output capture of a process started in mode, or
// nil when opts disable it.
func (s *Service) newCapture(opts RunOptions, mode launchMode) *output.Ring {
	if opts.DisableCapture {
		return nil
	}
	return output.NewRing(s.captureLimit(opts, mode))
}

// mergesOutput reports whether the child's stdout and stderr share one
// pipe, which keeps them in the order written: for Run, unless the caller
// wants stderr apart (a Stderr writer other than Stdout).
func (m launchMode) mergesOutput(opts RunOptions) bool {
	return m == foreground && (opts.Stderr == nil || sameWriter(opts.Stderr, opts.Stdout))
}

// sameWriter reports whether a and b are the same writer, as exec.Cmd
// decides whether Stdout and Stderr share a descriptor. Writers of types
// that cannot be compared are different.
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

// runResult is the outcome of Run for p, which is done: its output, or
// why it failed. The table then keeps only the newest keep bytes of the
// output.
func (p *Process) runResult(limit, keep int) core.Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.resultLocked()
	var out string
	if p.capture != nil {
		out = p.capture.String()
		if written := p.capture.Written(); limit > 0 && written > int64(limit) {
			err = &OutputTruncatedError{Limit: limit, Written: written, Output: out, Err: err}
		}
		p.keepNewestLocked(keep)
	}
	if err != nil {
		return core.Result{Value: err}
	}
	return core.Result{Value: out, OK: true}
}

// keepNewestLocked shrinks the capture to its newest keep bytes.
func (p *Process) keepNewestLocked(keep int) {
	if p.capture.Len() <= keep {
		return
	}
	ring := output.NewRing(keep)
	ring.Write(p.capture.Bytes())
	p.capture = ring
}
