package process

import (
	"fmt"
	"os"
	"syscall"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/output"
	"dappco.re/go/core/process/internal/pipe"
	"dappco.re/go/core/process/internal/watch"
)

const (
	// outputDrainDelay is how long, after a process has exited, its output
	// streams may stay open (held by a grandchild) before reading stops at
	// what is already written.
	outputDrainDelay = 250 * time.Millisecond
	// readBurst bounds one read of a ready stream, so a busy stream cannot
	// starve the other or delay the exit.
	readBurst = 256 << 10
	// finalDrainLimit bounds the last read of a stream still held open
	// after the drain delay: a writer that never stops cannot keep the
	// supervisor busy.
	finalDrainLimit = 1 << 20
)

// supervisor follows one process to its end on one goroutine: it reads the
// output streams as they become ready, notices the exit, reaps the process
// and reports how it ended.
type supervisor struct {
	p       *Process
	set     *watch.Set
	exitFD  int // readable once the process has exited
	streams []*stream
	open    int // streams not yet ended
	notify  func(core.Message)
	ended   func(*Process)
}

// stream is one output stream of the process.
type stream struct {
	fd      int
	file    *os.File
	lines   *output.Lines
	emit    func(line []byte)  // broadcasts one line
	consume func(chunk []byte) // captures a chunk and splits it into lines
	done    bool
}

// newSupervisor watches the output sources and the exit of p in set, which
// the supervisor then owns, as it owns exitFD.
func newSupervisor(p *Process, set *watch.Set, exitFD int, sources []outputSource,
	notify func(core.Message), ended func(*Process)) (*supervisor, error) {
	s := &supervisor{p: p, set: set, exitFD: exitFD, notify: notify, ended: ended}
	if err := set.Add(exitFD); err != nil {
		return nil, err
	}
	for _, src := range sources {
		st := &stream{file: src.file, lines: output.NewLines(0)}
		kind := src.stream
		st.emit = func(line []byte) {
			notify(ActionProcessOutput{ID: p.ID, Line: string(line), Stream: kind})
		}
		st.consume = func(chunk []byte) {
			p.record(chunk)
			st.lines.Feed(chunk, st.emit)
		}
		if err := st.resolveFD(); err != nil {
			return nil, err
		}
		if err := set.Add(st.fd); err != nil {
			return nil, err
		}
		s.streams = append(s.streams, st)
	}
	s.open = len(s.streams)
	return s, nil
}

// resolveFD looks up the stream's descriptor, which stays valid until the
// supervisor closes the file.
func (st *stream) resolveFD() error {
	rc, err := st.file.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Control(func(fd uintptr) { st.fd = int(fd) })
}

// run follows the process until it has ended and reports the end.
func (s *supervisor) run() {
	s.follow()
	for _, st := range s.streams {
		if !st.done {
			// A grandchild holds the stream open: deliver what is
			// already written, then stop.
			pipe.ReadReady(st.fd, finalDrainLimit, st.consume)
			s.finish(st)
		}
	}
	waitErr := s.p.cmd.Wait()
	s.p.markExited()
	s.close()
	s.p.conclude(waitErr, s.notify, s.ended)
}

// follow reads the streams until they end and the process exits; once it
// has exited, streams still open get outputDrainDelay more.
func (s *supervisor) follow() {
	exited := false
	var drainBy time.Time
	for s.open > 0 || !exited {
		ready, err := s.set.Wait(drainBy)
		if err != nil {
			return // the drain delay has passed
		}
		for _, fd := range ready {
			if fd == s.exitFD {
				exited = true
				s.set.Remove(fd)
				s.p.markExited()
				s.p.closeStdinPipe()
				drainBy = time.Now().Add(outputDrainDelay)
				continue
			}
			if st := s.stream(fd); st != nil && !pipe.ReadReady(fd, readBurst, st.consume) {
				s.finish(st)
			}
		}
	}
}

// stream returns the stream reading fd.
func (s *supervisor) stream(fd int) *stream {
	for _, st := range s.streams {
		if st.fd == fd && !st.done {
			return st
		}
	}
	return nil
}

// finish ends a stream: the final line without newline is delivered.
func (s *supervisor) finish(st *stream) {
	s.set.Remove(st.fd)
	st.lines.Flush(st.emit)
	st.done = true
	s.open--
}

// close releases the descriptors the supervisor owns.
func (s *supervisor) close() {
	s.p.takeStdin() // a terminal master is also a stream, closed below
	for _, st := range s.streams {
		st.file.Close()
	}
	syscall.Close(s.exitFD)
	s.set.Close()
}

// record appends chunk to the captured output.
func (p *Process) record(chunk []byte) {
	p.mu.Lock()
	if p.capture != nil {
		p.capture.Write(chunk)
	}
	p.mu.Unlock()
}

// closeStdinPipe closes a stdin pipe once the process has exited, which
// unblocks a writer stuck on a pipe nobody reads any more. A terminal
// master is also the output stream: it is closed with the streams.
func (p *Process) closeStdinPipe() {
	if p.pty {
		return
	}
	if f := p.takeStdin(); f != nil {
		f.Close()
	}
}

// conclude records how the process ended, broadcasts the end and marks it
// done.
func (p *Process) conclude(waitErr error, notify func(core.Message), ended func(*Process)) {
	for _, release := range p.release {
		release()
	}
	p.finish(waitErr)
	info := p.Info()
	if info.Status == StatusKilled {
		notify(ActionProcessKilled{ID: p.ID, Signal: info.Signal})
	}
	notify(ActionProcessExited{ID: p.ID, ExitCode: info.ExitCode, Duration: info.Duration, Error: p.result()})
	close(p.done)
	ended(p)
}

// markExited records that the process has exited; from now on its PID is
// never signalled again.
func (p *Process) markExited() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.hasExited {
		p.hasExited = true
		close(p.exited)
	}
}

// finish records how the process ended.
func (p *Process) finish(waitErr error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endedAt = time.Now()
	state := p.cmd.ProcessState
	if state == nil {
		p.status = StatusFailed
		p.exitCode = -1
		p.waitErr = fmt.Errorf("process %s: wait: %w", p.ID, waitErr)
		return
	}
	p.exitCode = state.ExitCode()
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		p.signal = signalName(ws.Signal())
	}
	p.status = StatusExited
	if p.stopSignal != "" {
		p.status = StatusKilled
		if p.signal == "" {
			p.signal = p.stopSignal
		}
	}
}
