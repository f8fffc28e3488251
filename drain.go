package process

import (
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/watch"
)

// A handler of a process's events runs on the goroutine that reads the
// process's output. When it waits for the process to exit (Wait, Shutdown,
// process.wait), nobody else reads that output, and a child that writes
// more than a pipe holds would block for ever on a full pipe. So the
// waiting handler reads the output itself: what it reads is kept in
// memory, in order, and delivered once the handler has returned, before
// anything read later.

// drainPollInterval is how often a waiting handler with a deadline (a
// context that can end) looks at it.
const drainPollInterval = 100 * time.Millisecond

// awaitExitDelivering waits, on the goroutine delivering p's events, until
// p has exited, reading its output meanwhile, or until done is closed (nil:
// never). It reports whether the exit came first.
func (p *Process) awaitExitDelivering(done <-chan struct{}) bool {
	if p.sup == nil { // nothing left to read
		return ends.await(p, false, done)
	}
	return p.sup.drainUntilExit(done)
}

// drainUntilExit reads every stream into its backlog until the leader has
// exited or done is closed, and reports whether the exit came first.
func (s *supervisor) drainUntilExit(done <-chan struct{}) bool {
	timeout := time.Duration(-1)
	if done != nil {
		timeout = drainPollInterval
	}
	fds := make([]int, 0, 1+len(s.streams))
	for !s.p.hasEnded(false) {
		select {
		case <-done:
			return false
		default:
		}
		fds = append(fds[:0], s.pidfd)
		for _, st := range s.streams {
			if !st.done && !st.ended {
				fds = append(fds, st.fd)
			}
		}
		ready, err := watch.Poll(fds, timeout)
		if err != nil {
			core.Error("process: read output while a handler waits", "id", s.p.ID, "err", err)
			return ends.await(s.p, false, done)
		}
		for _, fd := range ready {
			if st := s.stream(fd); st != nil && !st.ended && !st.read(readBurst, st.keep) {
				st.ended = true
			}
		}
	}
	return true
}

// keep adds chunk to the backlog.
func (st *stream) keep(chunk []byte) {
	st.backlog = append(st.backlog, chunk...)
}

// behind reports whether a stream has a backlog, or ended while a handler
// waited.
func (s *supervisor) behind() bool {
	for _, st := range s.streams {
		if st.backlog != nil || (st.ended && !st.done) {
			return true
		}
	}
	return false
}

// catchUpAll catches up with every stream.
func (s *supervisor) catchUpAll() {
	for _, st := range s.streams {
		s.catchUp(st)
	}
}

// catchUp consumes the backlog of st — and what a handler waiting again
// meanwhile adds to it — and finishes st if it ended meanwhile.
func (s *supervisor) catchUp(st *stream) {
	for st.backlog != nil {
		chunk := st.backlog
		st.backlog = nil
		st.consume(chunk)
	}
	if st.ended && !st.done {
		s.finish(st)
	}
}
