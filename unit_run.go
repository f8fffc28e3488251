package process

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// treeGoneWait bounds how long a run waits, after the graceful stop of
// what was left of its process tree (SIGKILL included), for the tree to be
// gone. Past it the unit fails rather than risk two copies running.
const treeGoneWait = 10 * time.Second

// unitRun is one run of a unit: from the start of its process until the
// whole process tree has gone. One goroutine (runUnit) starts the process,
// stops it when asked and reports its end; probe goroutines, if any, end
// before that report.
type unitRun struct {
	u       *unit
	opts    RunOptions
	started time.Time // on the unit clock

	// Guarded by the set's lock.
	proc    *Process // nil until spawned
	passed  bool     // the Ready probe passed before spawned
	stopped bool     // stop has been requested

	stop chan struct{} // closed to ask for a graceful stop
	// halted is closed once the stop asked for is done — the process
	// group empty or sent SIGKILL — or the run is over.
	halted     chan struct{}
	haltedOnce sync.Once
	ctx        context.Context
	cancel     context.CancelFunc // ends the probes
	probes     sync.WaitGroup

	matching atomic.Bool // the Output probe still looks for its line
	named    atomic.Bool // the unit names the run's process (unit.last)
}

// newUnitRun prepares a run of u; the caller holds the set's lock.
func newUnitRun(u *unit) *unitRun {
	ctx, cancel := context.WithCancel(context.Background())
	run := &unitRun{
		u:       u,
		opts:    u.spec.Process,
		started: u.set.clockLocked().now(),
		stop:    make(chan struct{}),
		halted:  make(chan struct{}),
		ctx:     ctx,
		cancel:  cancel,
	}
	if u.rx.output != nil {
		run.matching.Store(true)
	}
	if u.rx.output != nil || !u.set.svc.Options().DisableOutputEvents {
		run.opts.OnOutput = run.onOutput(run.opts.OnOutput)
	}
	return run
}

// requestStop asks the run to stop its process gracefully; the caller
// holds the set's lock.
func (run *unitRun) requestStop() {
	if !run.stopped {
		run.stopped = true
		close(run.stop)
	}
}

// runUnit starts the run's process, stops it when asked, and once it has
// ended — probes finished, tree gone — reports the end to the unit. Its
// stops end their grace periods early when the service's graces are cut.
func (m *unitSet) runUnit(run *unitRun) {
	defer run.cancel()
	defer run.halt()
	svc := m.service()
	svc.awaitReclaimed() // never beside a tree a dead instance left
	r := svc.StartWithOptions(context.Background(), run.opts)
	if !r.OK {
		err, _ := r.Value.(error)
		if err == nil {
			err = fmt.Errorf("%v", r.Value)
		}
		run.cancel()
		run.probes.Wait()
		m.event(func() { run.u.spawnFailed(run, err) })
		return
	}
	p := r.Value.(*Process)
	m.event(func() { run.u.spawned(run, p) })

	stop := run.stop
	for ended := false; !ended; {
		select {
		case <-p.Done():
			ended = true
		case <-stop:
			stop = nil
			_ = p.stop(svc.graces.context(), p.grace) // refused if it has ended
			run.halt()
		}
	}
	run.cancel()
	run.probes.Wait()
	treeErr := clearTree(svc.graces.context(), p)
	info := p.Info()
	m.event(func() { run.u.exited(run, info, treeErr) })
}

// halt marks the stop of the run done.
func (run *unitRun) halt() {
	run.haltedOnce.Do(func() { close(run.halted) })
}

// service returns the service the set belongs to.
func (m *unitSet) service() *Service {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.svc
}

// clearTree makes sure nothing of p's process tree is left once its
// leader has ended: members still alive (a daemonised grandchild, say)
// are stopped gracefully, SIGKILL included, the grace ending early when
// graces does, and it waits until none is left, for at most treeGoneWait.
func clearTree(graces context.Context, p *Process) error {
	p.mu.Lock()
	alive := p.aliveLocked()
	p.mu.Unlock()
	if alive {
		if err := p.stop(graces, p.grace); err != nil && !errors.Is(err, ErrProcessNotRunning) {
			return fmt.Errorf("stop what is left of process %s: %w", p.ID, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), treeGoneWait)
	defer cancel()
	if !ends.await(p, true, ctx.Done()) {
		return fmt.Errorf("process %s (pid %d): members of its process group still alive %v after SIGKILL", p.ID, p.PID, treeGoneWait)
	}
	return nil
}

// startProbe runs probe pr for the run in a goroutine of its own, which
// ends with the run; the caller holds the set's lock.
func (run *unitRun) startProbe(pr *compiledProbe, result probeResult) {
	if pr.output != nil {
		return // an Output probe is fed by onOutput
	}
	run.probes.Add(1)
	go func() {
		defer run.probes.Done()
		pr.loop(run.ctx, result)
	}()
}

// onOutput returns the OnOutput callback of the run. At the first line it
// makes the unit name the run's process (UnitInfo.ProcessID), so that,
// whoever follows the unit's output events, no line of the process is
// broadcast before the unit names it. It then calls next, the caller's own
// callback, if any, and passes the Output probe at the first matching
// line — so the line is seen before the readiness it causes.
func (run *unitRun) onOutput(next func(ActionProcessOutput)) func(ActionProcessOutput) {
	rx := run.u.rx.output
	set := run.u.set
	return func(line ActionProcessOutput) {
		if !run.named.Load() {
			set.nameProcess(run, line.ID)
		}
		if next != nil {
			next(line)
		}
		if rx != nil && run.matching.Load() && rx.MatchString(line.Line) && run.matching.CompareAndSwap(true, false) {
			set.event(func() { run.u.probePassed(run) })
		}
	}
}

// nameProcess makes the unit of run name the process id as its latest,
// unless the run is over or spawned has named it already.
func (m *unitSet) nameProcess(run *unitRun, id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	run.named.Store(true)
	if run.u.run != run || run.proc != nil {
		return
	}
	if p, err := m.svc.table.get(id); err == nil {
		run.u.last = p
	}
}

// readyProbeResult returns what the Ready probe of run reports to.
func (m *unitSet) readyProbeResult(run *unitRun) probeResult {
	return probeResult{
		pass: func() { m.event(func() { run.u.probePassed(run) }) },
		miss: func(err error) {
			m.mu.Lock()
			run.u.probeMissed(run, err)
			m.mu.Unlock()
		},
	}
}

// aliveProbeResult returns what the Alive probe of run reports to.
func (m *unitSet) aliveProbeResult(run *unitRun) probeResult {
	return probeResult{
		fail: func(err error) { m.event(func() { run.u.aliveFailed(run, err) }) },
	}
}
