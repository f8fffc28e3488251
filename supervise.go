package process

import (
	"errors"
	"os"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/output"
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
// output streams as they become ready, delivers each line, notices the
// exit and reports how the process ended.
type supervisor struct {
	p       *Process
	set     *watch.Set
	pidfd   int // readable once the leader has exited
	streams []*stream
	open    int // streams not yet ended
	notify  func(core.Message)
	ended   func(*Process)
}

// stream is one output stream of the process.
type stream struct {
	outputSource
	lines   *output.Lines
	pack    output.Packer      // makes the strings of a chunk's lines
	emit    func(line []byte)  // delivers one line
	consume func(chunk []byte) // captures a chunk and splits it into lines
	done    bool
	// backlog is what was read while a handler of the process's events
	// waited for it, kept for the supervisor to consume once the handler
	// has returned; ended: the stream ended meanwhile (see drain.go).
	backlog []byte
	ended   bool
}

// newSupervisor watches the leader's pidfd and the output sources in set,
// which the supervisor then owns, as it owns the sources. Lines are
// broadcast through notify when broadcastLines is set; a stream whose
// lines nobody receives is not split into lines at all.
func newSupervisor(p *Process, set *watch.Set, sources []outputSource, broadcastLines bool,
	notify func(core.Message), ended func(*Process)) (*supervisor, error) {
	s := &supervisor{p: p, set: set, pidfd: p.group.pidfd, notify: notify, ended: ended}
	if err := set.Add(s.pidfd); err != nil {
		return nil, err
	}
	for _, src := range sources {
		st := &stream{outputSource: src, lines: output.NewLines(0)}
		st.emit = func(line []byte) {
			msg := ActionProcessOutput{ID: p.ID, Line: st.pack.String(line), Stream: st.stream}
			if st.onLine != nil {
				p.callOnOutput(st.onLine, msg)
			}
			if broadcastLines {
				notify(msg)
			}
		}
		split := broadcastLines || st.onLine != nil
		st.consume = func(chunk []byte) {
			if st.backlog != nil {
				// Read after what a waiting handler read: it waits its turn.
				st.backlog = append(st.backlog, chunk...)
				return
			}
			p.record(chunk)
			if st.copyTo != nil {
				st.copyOut(p, chunk)
			}
			if split {
				st.pack.Start(len(chunk))
				st.lines.Feed(chunk, st.emit)
				st.pack.Stop()
			}
		}
		if err := set.Add(st.fd); err != nil {
			return nil, err
		}
		s.streams = append(s.streams, st)
	}
	s.open = len(s.streams)
	p.sup = s
	return s, nil
}

// run follows the process until it has ended and reports the end. It
// returns the stops that a timeout or the start context had begun, still
// under way.
func (s *supervisor) run() []<-chan struct{} {
	if !s.follow() {
		ends.await(s.p, false, nil)
	}
	s.p.beginDelivery()
	for _, st := range s.streams {
		if !st.done {
			// A grandchild holds the stream open: deliver what is
			// already written, then stop.
			s.advance(st, finalDrainLimit)
		}
		if !st.done {
			s.finish(st)
		}
	}
	s.p.endDelivery()
	s.close()
	return s.p.conclude(s.notify, s.ended)
}

// follow reads the streams until they end and the leader exits; once it
// has exited, streams still open get outputDrainDelay more. It reports
// whether it saw the exit.
func (s *supervisor) follow() (exited bool) {
	if s.behind() { // a handler of the start event waited for the process
		s.p.beginDelivery()
		s.catchUpAll()
		s.p.endDelivery()
	}
	var drainBy time.Time
	for s.open > 0 || !exited {
		ready, err := s.set.Wait(drainBy)
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				core.Error("process: supervise", "id", s.p.ID, "err", err)
			}
			return exited
		}
		s.p.beginDelivery()
		for _, fd := range ready {
			if fd == s.pidfd {
				exited = true
				s.set.Remove(fd)
				s.p.exitSeen()
				drainBy = time.Now().Add(outputDrainDelay)
				continue
			}
			if st := s.stream(fd); st != nil {
				s.advance(st, readBurst)
			}
		}
		s.catchUpAll()
		s.p.endDelivery()
	}
	return exited
}

// advance reads up to about limit bytes of st and consumes them, after
// what a waiting handler read before; it finishes the stream at its end.
func (s *supervisor) advance(st *stream, limit int) {
	s.catchUp(st)
	if st.done {
		return
	}
	if !st.read(limit, st.consume) {
		st.ended = true
	}
	s.catchUp(st)
}

// stream returns the open stream reading fd.
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
	st.checkLost(s.p)
	st.lines.Flush(st.emit)
	st.pack.Stop()
	st.done = true
	s.open--
}

// close releases what the supervisor owns; the pidfd stays with the
// process, which may still need to reach its group.
func (s *supervisor) close() {
	s.p.sup = nil
	s.p.closeInput() // a terminal master is also a stream, closed below
	for _, st := range s.streams {
		st.close()
	}
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

// exitSeen handles the readable pidfd: the leader has exited. Input is
// closed, which unblocks a writer stuck on a pipe nobody reads any more.
func (p *Process) exitSeen() {
	p.mu.Lock()
	p.observeExitLocked()
	p.mu.Unlock()
	if !p.pty {
		p.closeInput()
	}
}

// conclude delivers the end of the process and marks it done. It returns
// the stops a timeout or the start context had begun, still under way.
func (p *Process) conclude(notify func(core.Message), ended func(*Process)) []<-chan struct{} {
	stopping := p.disarm()
	p.mu.Lock()
	p.observeExitLocked()
	info := p.infoLocked()
	result := p.resultLocked()
	killedBy := p.exit.signal
	if killedBy == "" {
		killedBy = p.stopSignal
	}
	p.mu.Unlock()

	p.beginDelivery()
	if info.Status == StatusKilled {
		notify(ActionProcessKilled{ID: p.ID, Signal: killedBy})
	}
	notify(ActionProcessExited{ID: p.ID, ExitCode: info.ExitCode, Duration: info.Duration, Error: result})
	p.endDelivery()
	p.finish()
	ended(p)
	return stopping
}
