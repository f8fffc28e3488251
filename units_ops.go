package process

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// up is Service.Up.
func (m *unitSet) up(ctx context.Context, s *Service, specs []UnitSpec) error {
	m.mu.Lock()
	m.bindLocked(s)
	if m.closing {
		m.mu.Unlock()
		return fmt.Errorf("process: up: %w", ErrShuttingDown)
	}
	units, err := m.admitLocked(specs)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	m.settleLocked()
	m.mu.Unlock()
	err = m.awaitUp(ctx, "up", units, make([]int, len(units)))
	m.awaitDelivered(ctx)
	return err
}

// admitLocked validates specs against each other and the units already
// there and, only if all is well, adds them — replacing units of the same
// name that are stopped, failed or succeeded — in the waiting state.
func (m *unitSet) admitLocked(specs []UnitSpec) ([]*unit, error) {
	r := &refusal{}
	units := make([]*unit, len(specs))
	index := make(map[string]int, len(specs))
	for i, spec := range specs {
		prepared, probes := prepare(spec, i, r)
		name := prepared.Name
		if j, dup := index[name]; dup && name != "" {
			r.add(name, i, "duplicate name: also unit #%d of this call", j+1)
		} else {
			index[name] = i
		}
		if old := m.byName[name]; old != nil && !old.down() {
			r.add(name, i, "already up (%s): Down or Restart it instead", old.state)
		}
		units[i] = &unit{set: m, spec: prepared, rx: probes}
	}
	m.checkDependenciesLocked(units, index, r)
	if err := r.err(); err != nil {
		return nil, err
	}
	for _, u := range units {
		if old := m.byName[u.spec.Name]; old != nil {
			m.order[slices.Index(m.order, old)] = u
		} else {
			m.order = append(m.order, u)
		}
		m.byName[u.spec.Name] = u
		u.begin()
	}
	return units, nil
}

// checkDependenciesLocked refuses dependencies on unknown units, a
// ConditionSucceeded on a unit that always restarts, and cycles, across
// the new units and those already there.
func (m *unitSet) checkDependenciesLocked(units []*unit, index map[string]int, r *refusal) {
	spec := func(name string) (UnitSpec, bool) {
		if i, ok := index[name]; ok {
			return units[i].spec, true
		}
		if u := m.byName[name]; u != nil {
			return u.spec, true
		}
		return UnitSpec{}, false
	}
	graph := make(map[string][]string, len(m.order)+len(units))
	for _, u := range m.order {
		for _, dep := range u.spec.After {
			graph[u.spec.Name] = append(graph[u.spec.Name], dep.Unit)
		}
	}
	from := make([]string, 0, len(units))
	for i, u := range units {
		name := u.spec.Name
		graph[name] = nil
		from = append(from, name)
		for _, dep := range u.spec.After {
			graph[name] = append(graph[name], dep.Unit)
			target, known := spec(dep.Unit)
			switch {
			case dep.Unit == "":
			case !known:
				r.add(name, i, "unknown dependency %q", dep.Unit)
			case dep.Condition == ConditionSucceeded && target.Restart == RestartAlways:
				r.add(name, i, "dependency %q can never succeed: its restart policy is %q", dep.Unit, RestartAlways)
			}
		}
	}
	if cycle := findCycle(graph, from); cycle != nil {
		r.add(cycle[0], index[cycle[0]], "dependency cycle %s", formatCycle(cycle))
	}
}

// awaitUp waits until every unit of units has become ready or succeeded
// — arrived more often than since[i] says it had — or one has failed or
// been stopped without (an error naming it), or ctx ends (an error naming
// those not yet arrived). A unit that became ready counts even if it has
// crashed since: Up saw it through.
func (m *unitSet) awaitUp(ctx context.Context, op string, units []*unit, since []int) error {
	arrived := func(i int) bool { return units[i].arrivals > since[i] }
	return m.await(ctx, func() (bool, error) {
		all := true
		for i, u := range units {
			if arrived(i) {
				continue
			}
			all = false
			switch u.state {
			case UnitFailed:
				return false, fmt.Errorf("process: %s: unit %q failed: %s", op, u.spec.Name, u.errText())
			case UnitStopped:
				return false, fmt.Errorf("process: %s: unit %q was stopped before it was ready", op, u.spec.Name)
			}
		}
		return all, nil
	}, func(err error) error {
		m.mu.Lock()
		late := make([]*unit, 0, len(units))
		for i, u := range units {
			if !arrived(i) {
				late = append(late, u)
			}
		}
		m.mu.Unlock()
		return fmt.Errorf("process: %s: units not ready: %s: %w", op, m.describe(late), err)
	})
}

// describe lists units with their states, taking the lock.
func (m *unitSet) describe(units []*unit) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	parts := make([]string, len(units))
	for i, u := range units {
		parts[i] = fmt.Sprintf("%q (%s", u.spec.Name, u.state)
		if e := u.errText(); e != "" {
			parts[i] += ": " + e
		}
		parts[i] += ")"
	}
	return strings.Join(parts, ", ")
}

// await waits until done, checked under the lock at every change, reports
// completion or an error. When ctx ends first it returns late(ctx.Err()).
func (m *unitSet) await(ctx context.Context, done func() (bool, error), late func(error) error) error {
	for {
		m.mu.Lock()
		finished, err := done()
		changed := m.changedLocked()
		m.mu.Unlock()
		if finished || err != nil {
			return err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return late(ctx.Err())
		}
	}
}

// down is Service.Down: it returns once the units are down and their
// changes broadcast, or ctx has ended.
func (m *unitSet) down(ctx context.Context, names []string) error {
	err := m.stopUnits(ctx, names, m.stopOne)
	m.awaitDelivered(ctx)
	return err
}

// stopUnits stops the named units (none: all) and their dependents, in
// reverse dependency order (stopInOrder).
func (m *unitSet) stopUnits(ctx context.Context, names []string, stopOne func(*unit)) error {
	m.mu.Lock()
	var targets []*unit
	if len(names) == 0 {
		targets = append(targets, m.order...)
	} else {
		for _, name := range names {
			u, err := m.findLocked("down", name)
			if err != nil {
				m.mu.Unlock()
				return err
			}
			targets = append(targets, u)
		}
		targets = m.withDependentsLocked(targets)
	}
	after := m.orderStopsLocked(targets)
	m.mu.Unlock()
	if err := m.stopInOrder(ctx, targets, after, stopOne); err != nil {
		return fmt.Errorf("process: down: %w", err)
	}
	return nil
}

// orderStopsLocked begins the stops of exactly the given units: what runs
// no process stops at once, so it cannot start meanwhile. It returns, for
// each unit, the indexes of the units among them that depend on it, whose
// stops come first (stopInOrder).
func (m *unitSet) orderStopsLocked(targets []*unit) (after [][]int) {
	for _, u := range targets {
		if u.state == UnitWaiting || u.state == UnitBackoff {
			u.stop()
		}
	}
	after = make([][]int, len(targets))
	for i, u := range targets {
		for _, d := range dependentsAmong(u, targets, m.order) {
			after[i] = append(after[i], slices.Index(targets, d))
		}
	}
	return after
}

// stopInOrder stops the given units, each once the units listed for it in
// after (orderStopsLocked) have stopped: stopOne stops one and returns
// once its stop counts as done for the units it depends on. The stops run
// in goroutines of their own, which carry on when ctx ends before they
// are done.
func (m *unitSet) stopInOrder(ctx context.Context, targets []*unit, after [][]int, stopOne func(*unit)) error {
	// One goroutine per unit: it waits for the stops of the units that
	// depend on it, then stops its own.
	stopped := make([]chan struct{}, len(targets))
	for i := range stopped {
		stopped[i] = make(chan struct{})
	}
	for i, u := range targets {
		go func() {
			defer close(stopped[i])
			for _, j := range after[i] {
				<-stopped[j]
			}
			stopOne(u)
		}()
	}
	for _, done := range stopped {
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("units not stopped yet: %s: %w", m.describe(m.notDown(targets)), ctx.Err())
		}
	}
	if left := m.notDown(targets); len(left) > 0 {
		return fmt.Errorf("units restarted while being stopped: %s", m.describe(left))
	}
	return nil
}

// notDown returns the units of units that are not down.
func (m *unitSet) notDown(units []*unit) []*unit {
	m.mu.Lock()
	defer m.mu.Unlock()
	var left []*unit
	for _, u := range units {
		if !u.down() {
			left = append(left, u)
		}
	}
	return left
}

// stopOne stops u and returns once it is down — or, when a Restart has
// overtaken the stop, once it is no longer stopping.
func (m *unitSet) stopOne(u *unit) {
	m.event(u.stop)
	_ = m.await(context.Background(), func() (bool, error) {
		return u.down() || u.state != UnitStopping, nil
	}, nil)
}

// restart is Service.Restart.
func (m *unitSet) restart(ctx context.Context, s *Service, name string) error {
	m.mu.Lock()
	m.bindLocked(s)
	if m.closing {
		m.mu.Unlock()
		return fmt.Errorf("process: restart: unit %q: %w", name, ErrShuttingDown)
	}
	u, err := m.findLocked("restart", name)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	since := []int{u.arrivals}
	u.restart()
	m.settleLocked()
	m.mu.Unlock()
	err = m.awaitUp(ctx, "restart", []*unit{u}, since)
	m.awaitDelivered(ctx)
	return err
}

// shutdownDeliveryWait bounds how long shutdown waits for the unit
// changes it caused to be broadcast: a handler that never returns must not
// hold shutdown up.
const shutdownDeliveryWait = 5 * time.Second

// shutdown stops every unit, in reverse dependency order, and keeps any
// from starting or restarting from now on. It is the first thing
// OnShutdown does. A unit's stop counts as done, for the units it depends
// on, once the unit is down — or, should a handler of its process's
// events not return, shutdownReapWait after its process group was empty
// or sent SIGKILL: each is bounded by its unit's grace period, which the
// service's graces cut short, and that wait. It returns how many units had
// a process to stop, and the processes whose events it gave up waiting
// for.
func (m *unitSet) shutdown() (stopped int, givenUp []*Process) {
	m.mu.Lock()
	m.closing = true
	m.mu.Unlock()
	var mu sync.Mutex
	_ = m.stopUnits(context.Background(), nil, func(u *unit) {
		had, late := m.halt(u)
		mu.Lock()
		defer mu.Unlock()
		if had {
			stopped++
		}
		if late != nil {
			givenUp = append(givenUp, late)
		}
	})
	return stopped, givenUp
}

// halt stops u for shutdown and returns once it is down, or
// shutdownReapWait after its stop was done (halted) without it going down:
// then it returns its process, given up on. It reports whether u had a
// process to stop.
func (m *unitSet) halt(u *unit) (had bool, givenUp *Process) {
	var run *unitRun
	m.event(func() {
		u.stop()
		run = u.run
	})
	if run == nil {
		return false, nil // it ran no process: stopped at once
	}
	halted := run.halted
	var giveUp <-chan time.Time
	for {
		m.mu.Lock()
		finished := u.down() || u.state != UnitStopping
		changed := m.changedLocked()
		p := run.proc
		m.mu.Unlock()
		if finished {
			return true, nil
		}
		select {
		case <-changed:
		case <-halted:
			halted, giveUp = nil, time.After(shutdownReapWait)
		case <-giveUp:
			return true, p
		}
	}
}

// settle is the end of shutdown, once every process has been stopped and
// awaited: it waits until every unit is down — but for one whose process
// is not done, a handler of its events not having returned — and its
// changes broadcast, each for a bounded time.
func (m *unitSet) settle() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownReapWait)
	_ = m.await(ctx, func() (bool, error) {
		for _, u := range m.order {
			if !u.down() && !u.stuck() {
				return false, nil
			}
		}
		return true, nil
	}, func(err error) error { return err })
	cancel()
	ctx, cancel = context.WithTimeout(context.Background(), shutdownDeliveryWait)
	defer cancel()
	m.awaitDelivered(ctx)
}
