package process

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"dappco.re/go/core/process/internal/proc"
)

// unitSet is the unit manager of a service: every unit, in the order they
// were added, under one lock. Its zero value is ready to use. Every change
// of a unit happens under the lock, through an event method of the unit
// (unit_state.go); each change is queued as an ActionUnitChanged in that
// same order, and a delivery goroutine, running while there is something
// to deliver, broadcasts the queue in order. No goroutine that runs a unit
// ever runs an event handler, so a handler may call anything of the
// service — Down or Restart of the unit it is told about included —
// without waiting for itself.
type unitSet struct {
	mu      sync.Mutex
	svc     *Service
	clock   unitClock      // nil: the wall clock
	random  func() float64 // nil: math/rand/v2
	byName  map[string]*unit
	order   []*unit
	closing bool          // shutdown has begun: nothing starts or restarts
	changed chan struct{} // closed, and replaced, at every change and delivery

	applying sync.Mutex // held by each Apply call (units_apply.go): one at a time

	outbox     []ActionUnitChanged // changes not yet broadcast, oldest first
	queued     uint64              // changes queued so far
	delivered  uint64              // changes broadcast so far
	delivering bool                // the delivery goroutine runs
	deliverer  atomic.Int32        // its thread while it runs, else 0
}

// bindLocked ties the set to its service on first use.
func (m *unitSet) bindLocked(s *Service) {
	if m.svc == nil {
		m.svc = s
	}
	if m.byName == nil {
		m.byName = make(map[string]*unit)
	}
}

// event runs a change under the lock and lets the waiting units react to
// it.
func (m *unitSet) event(change func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	change()
	m.settleLocked()
}

// changedLocked returns the channel closed at the next change.
func (m *unitSet) changedLocked() <-chan struct{} {
	if m.changed == nil {
		m.changed = make(chan struct{})
	}
	return m.changed
}

// wakeLocked wakes whoever waits for a change.
func (m *unitSet) wakeLocked() {
	if m.changed != nil {
		close(m.changed)
		m.changed = nil
	}
}

// announceLocked queues the change of u for broadcast, starting the
// delivery goroutine if need be, and wakes whoever waits for a change.
func (m *unitSet) announceLocked(u *unit) {
	m.outbox = append(m.outbox, ActionUnitChanged{
		Name:      u.spec.Name,
		State:     u.state,
		Restarts:  u.restarts,
		ProcessID: u.processID(),
		Error:     u.errText(),
	})
	m.queued++
	m.wakeLocked()
	if !m.delivering {
		m.delivering = true
		go m.deliver()
	}
}

// deliver broadcasts the queued changes in order until none is left. Its
// goroutine is locked to its thread, which is recorded, so that a handler
// calling back can be told from everyone else (deliveringHere).
func (m *unitSet) deliver() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	m.deliverer.Store(int32(proc.ThreadID()))
	for {
		m.mu.Lock()
		if len(m.outbox) == 0 {
			// Under the lock, before a successor can be started: cleared
			// later, it could erase the successor's thread.
			m.deliverer.Store(0)
			m.delivering = false
			m.mu.Unlock()
			return
		}
		batch, svc := m.outbox, m.svc
		m.outbox = nil
		m.mu.Unlock()

		for _, ev := range batch {
			svc.broadcast(ev) // the Core recovers a handler that panics
		}

		m.mu.Lock()
		m.delivered += uint64(len(batch))
		m.wakeLocked()
		m.mu.Unlock()
	}
}

// deliveringHere reports whether the caller runs on the delivery
// goroutine: a handler of a unit event, or something it called.
func (m *unitSet) deliveringHere() bool {
	tid := m.deliverer.Load()
	return tid != 0 && int(tid) == proc.ThreadID()
}

// awaitDelivered waits until every change queued so far has been
// broadcast, or ctx ends; it returns at once when called from a handler
// of those changes, which cannot wait for itself.
func (m *unitSet) awaitDelivered(ctx context.Context) {
	if m.deliveringHere() {
		return
	}
	m.mu.Lock()
	target := m.queued
	m.mu.Unlock()
	_ = m.await(ctx, func() (bool, error) { return m.delivered >= target, nil }, func(err error) error { return err })
}

// settleLocked lets every waiting unit react to the current states: one
// whose dependencies all hold starts, one with a dependency that can never
// hold fails. It repeats until nothing changes, since a failure can make a
// dependent's dependency impossible in turn. Nothing starts once shutdown
// has begun.
func (m *unitSet) settleLocked() {
	if m.closing {
		return
	}
	for changed := true; changed; {
		changed = false
		for _, u := range m.order {
			if u.state != UnitWaiting {
				continue
			}
			held, err := m.dependenciesLocked(u)
			switch {
			case err != nil:
				u.dependencyBroken(err)
				changed = true
			case held:
				u.dependenciesHeld()
				changed = true
			}
		}
	}
}

// dependenciesLocked reports whether every dependency of u holds, or the
// first that never can.
func (m *unitSet) dependenciesLocked(u *unit) (bool, error) {
	all := true
	for _, dep := range u.spec.After {
		d := m.byName[dep.Unit]
		if d == nil {
			return false, fmt.Errorf("dependency %q: %w", dep.Unit, ErrUnitNotFound)
		}
		held, err := d.holds(dep.Condition)
		if err != nil {
			return false, err
		}
		all = all && held
	}
	return all, nil
}

// findLocked returns the named unit or an error matching ErrUnitNotFound,
// for the operation op ("" for a look-up).
func (m *unitSet) findLocked(op, name string) (*unit, error) {
	if u := m.byName[name]; u != nil {
		return u, nil
	}
	return nil, &unitNotFoundError{op: op, name: name}
}

// unitNotFoundError reports a unit name the service does not know, saying
// so once: `process: down: unit "x" not found`. It matches ErrUnitNotFound.
type unitNotFoundError struct {
	op, name string
}

func (e *unitNotFoundError) Error() string {
	if e.op == "" {
		return fmt.Sprintf("process: unit %q not found", e.name)
	}
	return fmt.Sprintf("process: %s: unit %q not found", e.op, e.name)
}

// Is reports whether target is ErrUnitNotFound.
func (e *unitNotFoundError) Is(target error) bool { return target == ErrUnitNotFound }

// info returns a snapshot of the named unit.
func (m *unitSet) info(name string) (UnitInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.findLocked("", name)
	if err != nil {
		return UnitInfo{}, err
	}
	return u.infoLocked(), nil
}

// infos returns a snapshot of every unit, in the order they were added.
func (m *unitSet) infos() []UnitInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]UnitInfo, len(m.order))
	for i, u := range m.order {
		out[i] = u.infoLocked()
	}
	return out
}
