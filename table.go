package process

import (
	"fmt"
	"slices"
	"sync"
	"syscall"

	"dappco.re/go/core/process/internal/proc"
)

// table is the process table: the one owner of managed processes, found by
// ID or by PID. It keeps every running process and a bounded number of
// finished ones, dropping the oldest finished first.
type table struct {
	mu           sync.RWMutex
	closed       bool           // shutting down: no more starts
	starting     sync.WaitGroup // starts admitted but not yet registered
	byID         map[string]*Process
	byPID        map[int]*Process
	order        []*Process // insertion order
	keepFinished int
	finished     int // entries that have been retired
	// fallback signals a PID the table does not manage, or refuses to;
	// see signalPID.
	fallback func(pid int, sig syscall.Signal) error
}

func newTable(keepFinished int) *table {
	return &table{
		byID:         make(map[string]*Process),
		byPID:        make(map[int]*Process),
		keepFinished: keepFinished,
		fallback:     proc.Kill,
	}
}

// has reports whether id names a process in the table.
func (t *table) has(id string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.byID[id] != nil
}

// admit lets a start proceed, unless the table is closed; every admitted
// start must end with admitted.
func (t *table) admit() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrShuttingDown
	}
	t.starting.Add(1)
	return nil
}

// admitted ends an admitted start, registering p if it started (p is nil
// otherwise).
func (t *table) admitted(p *Process) {
	if p != nil {
		t.mu.Lock()
		t.byID[p.ID] = p
		t.byPID[p.PID] = p
		t.order = append(t.order, p)
		t.mu.Unlock()
	}
	t.starting.Done()
}

// close refuses every start from now on and returns once the starts
// already admitted are registered or have failed.
func (t *table) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.starting.Wait()
}

// get returns the process with the given ID.
func (t *table) get(id string) (*Process, error) {
	t.mu.RLock()
	p := t.byID[id]
	t.mu.RUnlock()
	if p == nil {
		return nil, fmt.Errorf("process %q: %w", id, ErrProcessNotFound)
	}
	return p, nil
}

// getPID returns the most recent managed process with the given PID.
func (t *table) getPID(pid int) (*Process, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	p, ok := t.byPID[pid]
	return p, ok
}

// list returns the processes in the order they started; with runningOnly,
// only those still running.
func (t *table) list(runningOnly bool) []*Process {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]*Process, 0, len(t.order))
	for _, p := range t.order {
		if !runningOnly || p.IsRunning() {
			out = append(out, p)
		}
	}
	return out
}

// isRunning reports whether id names a process that has not exited.
func (t *table) isRunning(id string) bool {
	p, err := t.get(id)
	return err == nil && p.IsRunning()
}

// kill sends SIGKILL to the group of process id.
func (t *table) kill(id string) error {
	p, err := t.get(id)
	if err != nil {
		return err
	}
	return p.Kill()
}

// signalPID signals a process known only by its PID. A managed process is
// signalled through its entry, which refuses a process that has exited; an
// unmanaged PID (one started before a restart, say) goes to the table's
// fallback, which in ContainmentCgroup reaches only a process in a cgroup
// of this program. PIDs 0 and 1, negative PIDs, and this program's own PID
// and thread IDs are refused.
func (t *table) signalPID(pid int, sig syscall.Signal) error {
	switch {
	case pid <= 1:
		return fmt.Errorf("pid %d: refusing to signal it", pid)
	case proc.IsOwnThread(pid):
		return fmt.Errorf("pid %d: refusing to signal it: it is a thread of this program", pid)
	}
	if p, ok := t.getPID(pid); ok {
		return p.sendSignal(sig, false)
	}
	if err := t.fallback(pid, sig); err != nil {
		if err == syscall.ESRCH {
			return fmt.Errorf("pid %d: %w", pid, ErrProcessNotFound)
		}
		return fmt.Errorf("pid %d: signal %s: %w", pid, signalName(sig), err)
	}
	return nil
}

// remove drops a finished process.
func (t *table) remove(id string) error {
	p, err := t.get(id)
	if err != nil {
		return err
	}
	switch {
	case p.IsRunning():
		return fmt.Errorf("process %q: remove: still running", id)
	case p.lingers():
		return fmt.Errorf("process %q: remove: members of its process group are still running", id)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.drop(p)
	return nil
}

// clear drops every finished process.
func (t *table) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	kept := t.order[:0]
	for _, p := range t.order {
		if p.IsRunning() || p.lingers() {
			kept = append(kept, p)
			continue
		}
		t.forget(p)
	}
	clear(t.order[len(kept):])
	t.order = kept
}

// retire is called once a process has ended; it drops the oldest finished
// processes beyond the bound.
func (t *table) retire(p *Process) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID[p.ID] != p {
		return // removed before it was retired
	}
	p.retired = true
	t.finished++
	for i := 0; t.finished > t.keepFinished && i < len(t.order); {
		// A process whose group lives on stays: a stop must still reach it.
		if q := t.order[i]; q.retired && !q.lingers() {
			t.dropAt(i)
			continue
		}
		i++
	}
}

// drop removes p from the table; the caller holds the lock.
func (t *table) drop(p *Process) {
	if i := slices.Index(t.order, p); i >= 0 {
		t.dropAt(i)
	}
}

// dropAt removes the process at index i of the order; the caller holds the
// lock.
func (t *table) dropAt(i int) {
	p := t.order[i]
	t.order = slices.Delete(t.order, i, i+1)
	t.forget(p)
}

// forget removes p's index entries; the caller holds the lock.
func (t *table) forget(p *Process) {
	if p.retired {
		p.retired = false
		t.finished--
	}
	if t.byID[p.ID] == p {
		delete(t.byID, p.ID)
	}
	if t.byPID[p.PID] == p {
		delete(t.byPID, p.PID)
	}
}
