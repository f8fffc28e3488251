package api

import (
	"slices"
	"sync"
	"time"

	"dappco.re/go/core/process"
)

// logBook holds the log of every attached unit.
type logBook struct {
	mu    sync.Mutex
	units map[string]*unitLog
	lines int
}

func newLogBook(lines int) *logBook {
	return &logBook{units: make(map[string]*unitLog), lines: lines}
}

// unit returns the log of the named unit, creating it when create is set
// (nil when it does not exist and create is not).
func (b *logBook) unit(name string, create bool) *unitLog {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.units[name]
	if l == nil && create {
		l = &unitLog{ring: make([]LogLine, 0, min(b.lines, 64)), size: b.lines}
		b.units[name] = l
	}
	return l
}

// unitLog is the bounded log of one unit, and its followers.
type unitLog struct {
	mu    sync.Mutex
	ring  []LogLine // grows up to size, then wraps at next
	next  int
	size  int
	subs  []*feed[LogLine]
	drops int
}

// add records line and offers it to every follower, dropping those whose
// queue is full. It never blocks.
func (l *unitLog) add(line LogLine) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < l.size {
		l.ring = append(l.ring, line)
	} else {
		l.ring[l.next] = line
		l.next = (l.next + 1) % l.size
	}
	kept := l.subs[:0]
	for _, f := range l.subs {
		if f.offer(line) {
			kept = append(kept, f)
			continue
		}
		l.drops++
		f.drop()
	}
	clear(l.subs[len(kept):])
	l.subs = kept
}

// lines returns the lines kept, oldest first.
func (l *unitLog) lines() []LogLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.linesLocked()
}

func (l *unitLog) linesLocked() []LogLine {
	out := make([]LogLine, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	return append(out, l.ring[:l.next]...)
}

// follow returns the lines kept and a follower that gets every later
// line, with no gap and no repeat between the two.
func (l *unitLog) follow(size int) ([]LogLine, *feed[LogLine]) {
	f := newFeed[LogLine](size)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.subs = append(l.subs, f)
	return l.linesLocked(), f
}

// unfollow removes f, if it is still there.
func (l *unitLog) unfollow(f *feed[LogLine]) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := slices.Index(l.subs, f); i >= 0 {
		l.subs = slices.Delete(l.subs, i, i+1)
	}
}

// Attach makes the server keep the output lines of the unit spec
// describes, for GET /v1/units/{name}/logs: it wraps
// spec.Process.OnOutput so that the caller's callback (if any) still runs
// first, then the line is recorded. Call it once per spec, before Up with
// it; attaching again a spec of the same name (to bring the unit up again)
// continues the same log. A nil spec is ignored.
func (s *Server) Attach(spec *process.UnitSpec) {
	if spec == nil {
		return
	}
	name := spec.Name
	log := s.logs.unit(name, true)
	next := spec.Process.OnOutput
	spec.Process.OnOutput = func(out process.ActionProcessOutput) {
		if next != nil {
			next(out)
		}
		log.add(LogLine{Unit: name, ProcessID: out.ID, Stream: string(out.Stream), Line: out.Line, Time: time.Now()})
	}
}
