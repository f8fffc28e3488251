package agent

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
)

// opTimeout bounds each write of the agent to NATS: a request lost while
// the connection is re-established is given up and tried again.
const opTimeout = 10 * time.Second

// mirror keeps BucketState equal to the node's units: every change is
// published to EventSubject at once, in order, and the unit's UnitInfo is
// written to BucketState by the mirror's own goroutine, the newest info of
// each changed unit at a time, so a slow NATS never holds up the process
// service's event delivery.
type mirror struct {
	a     *runner
	mu    sync.Mutex
	dirty map[string]bool
	all   bool // every key of the node is to be checked
	kick  chan struct{}
}

func newMirror(a *runner) *mirror {
	return &mirror{a: a, dirty: map[string]bool{}, all: true, kick: make(chan struct{}, 1)}
}

// changed is the handler of a unit change.
func (m *mirror) changed(ev process.ActionUnitChanged) {
	m.publish(cluster.Event{Node: m.a.o.Node, Unit: ev.Name, State: ev.State, Restarts: ev.Restarts, Error: ev.Error, At: time.Now()})
	m.mu.Lock()
	m.dirty[ev.Name] = true
	m.mu.Unlock()
	m.wake()
}

// syncAll asks for every unit's key to be written, and stale keys of the
// node (units no longer there) to be removed.
func (m *mirror) syncAll() {
	m.mu.Lock()
	m.all = true
	m.mu.Unlock()
	m.wake()
}

func (m *mirror) wake() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// publish sends ev to the node's EventSubject.
func (m *mirror) publish(ev cluster.Event) {
	data, err := json.Marshal(ev)
	if err == nil {
		_ = m.a.nc.Publish(cluster.EventSubject(m.a.o.Node), data)
	}
}

// run writes what changed until ctx ends.
func (m *mirror) run(ctx context.Context) error {
	for {
		m.flush(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-m.kick:
		}
	}
}

// flush writes the changed units' infos, and removes stale keys when
// asked; a write that fails is tried again at the next flush.
func (m *mirror) flush(ctx context.Context) {
	m.mu.Lock()
	dirty, all := m.dirty, m.all
	m.dirty, m.all = map[string]bool{}, false
	m.mu.Unlock()
	failed := false
	if all {
		failed = !m.removeStale(ctx)
		for _, info := range m.a.svc.Units() {
			dirty[info.Name] = true
		}
	}
	for name := range dirty {
		if !m.write(ctx, name) {
			failed = true
			m.mu.Lock()
			m.dirty[name] = true
			m.mu.Unlock()
		}
	}
	if failed {
		m.mu.Lock()
		m.all = m.all || all
		m.mu.Unlock()
		time.AfterFunc(time.Second, m.wake)
	}
}

// write puts the unit's info, or deletes its key once the unit is gone.
func (m *mirror) write(ctx context.Context, name string) bool {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	key := cluster.StateKey(m.a.o.Node, name)
	info, err := m.a.svc.Unit(name)
	if errors.Is(err, process.ErrUnitNotFound) {
		err = m.a.store.StateKV.Delete(ctx, key)
		return err == nil || errors.Is(err, jetstream.ErrKeyNotFound)
	}
	data, err := json.Marshal(info)
	if err != nil {
		return false
	}
	_, err = m.a.store.StateKV.Put(ctx, key, data)
	return err == nil
}

// removeStale deletes the node's keys of units it no longer has.
func (m *mirror) removeStale(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	lister, err := m.a.store.StateKV.ListKeysFiltered(ctx, m.a.o.Node+".*")
	if err != nil {
		return errors.Is(err, jetstream.ErrNoKeysFound)
	}
	have := map[string]bool{}
	for _, info := range m.a.svc.Units() {
		have[info.Name] = true
	}
	ok := true
	for key := range lister.Keys() {
		unit := strings.TrimPrefix(key, m.a.o.Node+".")
		if have[unit] {
			continue
		}
		if err := m.a.store.StateKV.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			ok = false
		}
	}
	return ok
}
