package main

import (
	"sync"
	"time"

	"dappco.re/go/core/process"
)

// stuckEvery is how often `up` looks for a starting unit with news of why
// it is not ready yet.
const stuckEvery = time.Second

// stuckReporter prints why a starting unit is not ready yet (its
// UnitInfo.Error, the probe's last error), once per change: a unit's
// probe error changes its state, so no event tells of it.
type stuckReporter struct {
	pr    *printer
	mu    sync.Mutex
	shown map[string]string // unit → the error last printed while starting
}

func newStuckReporter(pr *printer) *stuckReporter {
	return &stuckReporter{pr: pr, shown: map[string]string{}}
}

// changed prints the unit event ev and notes the error it carried, so
// that the same error is not printed again.
func (r *stuckReporter) changed(ev process.ActionUnitChanged) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pr.state(ev)
	if ev.State == process.UnitStarting {
		r.shown[ev.Name] = ev.Error
	} else {
		delete(r.shown, ev.Name)
	}
}

// look prints the error of every starting unit of units whose error has
// changed since it was last printed.
func (r *stuckReporter) look(units []process.UnitInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, u := range units {
		if u.State != process.UnitStarting || u.Error == "" || r.shown[u.Name] == u.Error {
			continue
		}
		r.shown[u.Name] = u.Error
		r.pr.state(process.ActionUnitChanged{Name: u.Name, State: u.State, Restarts: u.Restarts, ProcessID: u.ProcessID, Error: "not ready yet: " + u.Error})
	}
}
