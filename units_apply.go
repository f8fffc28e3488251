package process

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Apply makes specs the service's whole set of units, the desired state:
//   - a unit not named in specs is stopped, in reverse dependency order, and
//     removed (Unit then reports ErrUnitNotFound);
//   - a unit named for the first time is added and started, as Up does;
//   - a unit whose spec changed is stopped and started again with the new
//     spec (its old process tree is gone before the new one starts); units
//     that depend on it are not touched;
//   - a unit whose spec is unchanged is left alone: its process, PID and
//     state stay as they are, also when it is stopped or failed.
//
// Specs are compared after their defaults are filled in, so an empty
// restart policy equals RestartNever. The hooks of RunOptions are compared
// by identity: Stdout and Stderr are unchanged when they hold the same
// writer value; OnOutput is unchanged only when both are nil, since Go
// cannot compare functions, so a spec with an OnOutput hook restarts at
// every Apply.
//
// Apply validates the whole call before anything changes, as Up does, and
// also refuses a dependency on a unit that specs do not name. It stops
// what goes (each stop bounded by the unit's grace period), then adds
// what comes, and returns once every added or changed unit is ready or
// succeeded, or with an error naming one that failed; ctx bounds only
// that last wait, so an Apply never stops halfway. Apply calls run one at
// a time.
func (s *Service) Apply(ctx context.Context, specs ...UnitSpec) error {
	return s.units.apply(ctx, s, specs)
}

// applyPlan is what an Apply call changes: the units that go (removed, or
// changed and so replaced) and the specs that are started.
type applyPlan struct {
	stop  []*unit    // removed or changed units, in the order they were added
	drop  []*unit    // removed units: stopped, then taken out of the set
	start []UnitSpec // new and changed specs, as given
}

// apply is Service.Apply.
func (m *unitSet) apply(ctx context.Context, s *Service, specs []UnitSpec) error {
	m.applying.Lock()
	defer m.applying.Unlock()

	m.mu.Lock()
	m.bindLocked(s)
	if m.closing {
		m.mu.Unlock()
		return fmt.Errorf("process: apply: %w", ErrShuttingDown)
	}
	plan, err := m.planLocked(specs)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	after := m.orderStopsLocked(plan.stop)
	m.mu.Unlock()

	// The stops are not bounded by ctx (each is by its grace period): a
	// half-done Apply would leave units stopping that the next Apply
	// counts as unchanged.
	if err := m.stopInOrder(context.Background(), plan.stop, after, m.stopOne); err != nil {
		return fmt.Errorf("process: apply: %w", err)
	}

	m.mu.Lock()
	m.removeLocked(plan.drop)
	if m.closing {
		m.mu.Unlock()
		return fmt.Errorf("process: apply: %w", ErrShuttingDown)
	}
	units, err := m.admitLocked(plan.start)
	if err != nil {
		m.mu.Unlock()
		return fmt.Errorf("process: apply: %w", err)
	}
	m.settleLocked()
	m.mu.Unlock()
	err = m.awaitUp(ctx, "apply", units, make([]int, len(units)))
	m.awaitDelivered(ctx)
	return err
}

// planLocked validates specs as a whole set of units and compares them
// with the units there are.
func (m *unitSet) planLocked(specs []UnitSpec) (applyPlan, error) {
	r := &refusal{}
	prepared := make([]*unit, len(specs))
	index := make(map[string]int, len(specs))
	for i, spec := range specs {
		p, _ := prepare(spec, i, r)
		if j, dup := index[p.Name]; dup && p.Name != "" {
			r.add(p.Name, i, "duplicate name: also unit #%d of this call", j+1)
		} else {
			index[p.Name] = i
		}
		prepared[i] = &unit{spec: p}
	}
	// Checked against an empty set: the desired units may depend only on
	// each other.
	(&unitSet{}).checkDependenciesLocked(prepared, index, r)
	if len(r.reasons) > 0 {
		return applyPlan{}, fmt.Errorf("process: apply refused, nothing changed: %s", strings.Join(r.reasons, "; "))
	}

	var plan applyPlan
	for _, u := range m.order {
		i, wanted := index[u.spec.Name]
		switch {
		case !wanted:
			plan.stop = append(plan.stop, u)
			plan.drop = append(plan.drop, u)
		case !sameSpec(u.spec, prepared[i].spec):
			plan.stop = append(plan.stop, u)
		}
	}
	for i, spec := range specs {
		old := m.byName[prepared[i].spec.Name]
		if old == nil || slices.Contains(plan.stop, old) {
			plan.start = append(plan.start, spec)
		}
	}
	return plan, nil
}

// sameSpec reports whether two prepared specs describe the same unit: the
// hooks of their processes by identity (sameWriter, as exec.Cmd decides
// whether two writers are one), everything else by value.
func sameSpec(a, b UnitSpec) bool {
	pa, pb := a.Process, b.Process
	if pa.OnOutput != nil || pb.OnOutput != nil {
		return false
	}
	if !sameWriter(pa.Stdout, pb.Stdout) || !sameWriter(pa.Stderr, pb.Stderr) {
		return false
	}
	a.Process.Stdout, a.Process.Stderr = nil, nil
	b.Process.Stdout, b.Process.Stderr = nil, nil
	return reflect.DeepEqual(a, b)
}

// removeLocked takes the given units, which are down, out of the set.
func (m *unitSet) removeLocked(units []*unit) {
	for _, u := range units {
		if m.byName[u.spec.Name] == u {
			delete(m.byName, u.spec.Name)
		}
		if i := slices.Index(m.order, u); i >= 0 {
			m.order = slices.Delete(m.order, i, i+1)
		}
	}
}
