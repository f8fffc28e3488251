package process

import (
	"sync"
	"time"

	"dappco.re/go/core/process/internal/proc"
)

// endPollInterval is how often the end watch asks about what it waits for.
const endPollInterval = 10 * time.Millisecond

// endWatch follows the processes someone is waiting for — a stop waiting
// for a group to empty, or an event handler waiting for its own process,
// whose supervisor cannot report the exit meanwhile — and tells each waiter
// when the end it waits for has come. One goroutine ticks while anyone
// waits. Each tick asks the kernel about every awaited leader and, for all
// the groups that still have members, scans /proc once: the cost of a tick
// does not grow with the number of processes being stopped.
type endWatch struct {
	mu      sync.Mutex
	waits   map[*endWait]struct{}
	ticking bool
}

// endWait is one waiter.
type endWait struct {
	p     *Process
	group bool          // wait for the whole group, not only the leader
	ended chan struct{} // closed, by the watch, when the end has come
}

// ends is the end watch of this program.
var ends endWatch

// await waits until p's leader has exited or, with group, until no member
// of its group is alive either, or until deadline is closed (nil: never).
// It reports whether the end came first.
func (w *endWatch) await(p *Process, group bool, deadline <-chan struct{}) bool {
	if p.hasEnded(group) {
		return true
	}
	wt := &endWait{p: p, group: group, ended: make(chan struct{})}
	w.add(wt)
	defer w.remove(wt)
	exited := p.exited
	for {
		select {
		case <-wt.ended:
			return true
		case <-exited:
			// The supervisor saw the exit: no need to wait for a tick
			// if the group has already gone with it.
			if p.hasEnded(group) {
				return true
			}
			exited = nil
		case <-deadline:
			return false
		}
	}
}

// hasEnded reports whether p's leader has exited and, with group, whether
// its group is known to be empty.
func (p *Process) hasEnded(group bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !group {
		return p.observeExitLocked() != stateRunning
	}
	return p.groupEndedLocked()
}

func (w *endWatch) add(wt *endWait) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.waits == nil {
		w.waits = make(map[*endWait]struct{})
	}
	w.waits[wt] = struct{}{}
	if !w.ticking {
		w.ticking = true
		go w.tick()
	}
}

func (w *endWatch) remove(wt *endWait) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.waits, wt)
}

// tick checks the waiters every endPollInterval until there are none.
func (w *endWatch) tick() {
	t := time.NewTicker(endPollInterval)
	defer t.Stop()
	for range t.C {
		waits := w.pending()
		if waits == nil {
			return
		}
		w.release(check(waits))
	}
}

// pending returns the current waiters, or nil — and stops ticking — when
// there are none.
func (w *endWatch) pending() []*endWait {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.waits) == 0 {
		w.ticking = false
		return nil
	}
	waits := make([]*endWait, 0, len(w.waits))
	for wt := range w.waits {
		waits = append(waits, wt)
	}
	return waits
}

// check returns the waiters whose end has come.
func check(waits []*endWait) []*endWait {
	var ended, scan []*endWait
	for _, wt := range waits {
		switch {
		case wt.p.hasEnded(wt.group):
			ended = append(ended, wt)
		case wt.group && !wt.p.IsRunning():
			scan = append(scan, wt) // members remain, perhaps only exited ones
		}
	}
	if len(scan) == 0 {
		return ended
	}
	pgids := make([]int, len(scan))
	for i, wt := range scan {
		pgids[i] = wt.p.PID
	}
	live := proc.LiveGroups(pgids)
	for _, wt := range scan {
		if !live[wt.p.PID] {
			wt.p.markGroupGone()
			ended = append(ended, wt)
		}
	}
	return ended
}

// release tells the waiters in ended that their end has come.
func (w *endWatch) release(ended []*endWait) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, wt := range ended {
		if _, ok := w.waits[wt]; ok {
			delete(w.waits, wt)
			close(wt.ended)
		}
	}
}

// markGroupGone records that no member of p's group is alive.
func (p *Process) markGroupGone() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.groupGoneLocked()
}
