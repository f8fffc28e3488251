package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
)

// desiredSlot holds the newest desired list not yet applied. A newer list
// ends the wait of the Apply under way (its units keep starting), so the
// agent always moves on to the newest list.
type desiredSlot struct {
	mu       sync.Mutex
	specs    []cluster.Spec
	revision uint64
	err      error // the newest entry could not be decoded
	pending  bool
	seen     uint64 // the newest revision put
	kick     chan struct{}
	cancel   func() // ends the wait of the Apply under way
}

// put records a newer desired list (or why it is unreadable); a revision
// not newer than one put before is ignored (revision 0, no list at all,
// is always taken).
func (d *desiredSlot) put(specs []cluster.Spec, revision uint64, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if revision != 0 && revision <= d.seen {
		return
	}
	d.seen = max(d.seen, revision)
	d.specs, d.revision, d.err, d.pending = specs, revision, err, true
	if d.cancel != nil {
		d.cancel()
	}
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// desiredList is a desired list taken from the slot.
type desiredList struct {
	specs    []cluster.Spec
	revision uint64
	err      error // it could not be decoded
}

// take returns the pending list, if any, with a context for its Apply
// that a newer list ends.
func (d *desiredSlot) take(ctx context.Context) (desiredList, context.Context, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.pending {
		return desiredList{}, nil, false
	}
	d.pending = false
	actx, cancel := context.WithCancel(ctx)
	d.cancel = cancel
	return desiredList{specs: d.specs, revision: d.revision, err: d.err}, actx, true
}

// settled ends the context of the Apply that has returned.
func (d *desiredSlot) settled() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cancel != nil {
		d.cancel()
		d.cancel = nil
	}
}

// reconcile watches the node's key in BucketDesired and applies each new
// list with Service.Apply, until ctx ends.
func (a *runner) reconcile(ctx context.Context) error {
	a.desired.kick = make(chan struct{}, 1)
	w, err := a.store.DesiredKV.Watch(ctx, cluster.DesiredKey(a.o.Node))
	if err != nil {
		return fmt.Errorf("agent %s: watch %s: %w", a.o.Node, cluster.BucketDesired, err)
	}
	defer func() { _ = w.Stop() }()
	go a.watchDesired(ctx, w)
	go a.pollDesired(ctx)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-a.desired.kick:
		}
		list, actx, ok := a.desired.take(ctx)
		if !ok {
			continue
		}
		err := list.err
		var units []process.UnitSpec
		if err == nil {
			units, err = a.unitSpecs(list.specs)
		}
		if err == nil {
			err = a.svc.Apply(actx, units...)
		}
		a.desired.settled()
		a.mirror.syncAll()
		if superseded := ctx.Err() == nil && errors.Is(err, context.Canceled); !superseded {
			// A superseded list's units go on starting; the newer list's
			// outcome is the one reported.
			a.mirror.publish(cluster.Event{Node: a.o.Node, Revision: list.revision, Error: errText(err), At: time.Now()})
		}
	}
}

// watchDesired turns the watcher's entries into desired lists: a deleted
// key, or none, is the empty list.
func (a *runner) watchDesired(ctx context.Context, w jetstream.KeyWatcher) {
	seen := false
	for {
		select {
		case <-ctx.Done():
			return
		case e, open := <-w.Updates():
			if !open {
				return
			}
			switch {
			case e == nil: // the initial values are in
				if !seen {
					a.desired.put(nil, 0, nil)
				}
			case e.Operation() != jetstream.KeyValuePut:
				seen = true
				a.desired.put(nil, e.Revision(), nil)
			default:
				seen = true
				a.desired.put(decodeList(e))
			}
		}
	}
}

// pollDesired reads the node's key every third of the node TTL, in case
// the watch has stalled: a watch whose consumer was on a NATS server that
// went away is only made again after missed heartbeats, some seconds
// later. A list the watch delivered already is ignored by the slot.
func (a *runner) pollDesired(ctx context.Context) {
	tick := time.NewTicker(a.beat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		rctx, cancel := context.WithTimeout(ctx, a.beat)
		e, err := a.store.DesiredKV.Get(rctx, cluster.DesiredKey(a.o.Node))
		cancel()
		if err == nil {
			a.desired.put(decodeList(e))
		}
	}
}

// decodeList decodes an entry of BucketDesired.
func decodeList(e jetstream.KeyValueEntry) ([]cluster.Spec, uint64, error) {
	var specs []cluster.Spec
	if err := json.Unmarshal(e.Value(), &specs); err != nil {
		return nil, e.Revision(), fmt.Errorf("desired list revision %d: %w", e.Revision(), err)
	}
	return specs, e.Revision(), nil
}

// unitSpecs converts specs, attaching the node's output writers of each
// unit: the same writers every time, so an unchanged spec stays unchanged
// for Service.Apply.
// A name that cannot be a token of a NATS subject refuses the list.
func (a *runner) unitSpecs(specs []cluster.Spec) ([]process.UnitSpec, error) {
	out := make([]process.UnitSpec, len(specs))
	for i, s := range specs {
		if err := cluster.CheckName("unit", s.Name); err != nil {
			return nil, fmt.Errorf("desired list refused, nothing changed: %w", err)
		}
		u := s.UnitSpec()
		w := a.output(s.Name)
		u.Process.Stdout, u.Process.Stderr = w[0], w[1]
		out[i] = u
	}
	return out, nil
}

// errText is err's message, or "".
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
