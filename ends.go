package process

import (
	"sync"
	"time"

	"dappco.re/go/core/process/internal/proc"
)

// The end watch asks about what it waits for every endPollInterval at
// first. While nothing it waits for ends, it asks less and less often, up to
// every endPollMax; and it never spends more than a tenth of its time
// scanning /proc.
const (
	endPollInterval = 10 * time.Millisecond
	endPollMax      = 250 * time.Millisecond
)

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
	wake    chan struct{} // a new waiter: back to the shortest interval
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

// add registers a waiter, starting the ticks if need be.
func (w *endWatch) add(wt *endWait) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.waits == nil {
		w.waits = make(map[*endWait]struct{})
		w.wake = make(chan struct{}, 1)
	}
	w.waits[wt] = struct{}{}
	if w.ticking {
		select {
		case w.wake <- struct{}{}:
		default:
		}
		return
	}
	w.ticking = true
	go w.tick()
}

// remove drops a waiter that no longer waits.
func (w *endWatch) remove(wt *endWait) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.waits, wt)
}

// tick checks the waiters until there are none.
func (w *endWatch) tick() {
	interval := endPollInterval
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
		case <-w.wake:
			interval = endPollInterval
			timer.Reset(interval)
			continue
		}
		waits := w.pending()
		if waits == nil {
			return
		}
		began := time.Now()
		ended := check(waits)
		w.release(ended)
		interval = nextInterval(interval, len(ended) > 0, time.Since(began))
		timer.Reset(interval)
	}
}

// nextInterval paces the end watch: back to the shortest interval when
// something ended, longer while nothing does, and at least ten times what
// the last check cost.
func nextInterval(last time.Duration, ended bool, cost time.Duration) time.Duration {
	next := min(2*last, endPollMax)
	if ended {
		next = endPollInterval
	}
	return max(next, 10*cost)
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
		case wt.group && wt.p.scanned():
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
		if !live[wt.p.PID] && wt.p.markGoneUnlessStrays() {
			ended = append(ended, wt)
		}
	}
	return ended
}

// scanned reports whether p's leader has exited and only a scan of /proc
// can tell whether members of its group are alive: in ContainmentGroup,
// where exited members waiting for init to reap them still count for the
// kernel.
func (p *Process) scanned() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.group.cgroup == nil && p.observeExitLocked() != stateRunning
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

// markGoneUnlessStrays records, for a process whose process group has no
// live member, that no member of its group is alive — unless orphans of
// it are — and reports whether it did.
func (p *Process) markGoneUnlessStrays() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.group.strays(p.PID)) > 0 {
		return false
	}
	p.groupGoneLocked()
	return true
}
