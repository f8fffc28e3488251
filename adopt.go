package process

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/cgroup"
	"dappco.re/go/core/process/internal/proc"
)

// reclaim takes over what instances of this program that have died left in
// their cgroups, in ContainmentCgroup: the trees of processes that were not
// detached are stopped (SIGTERM, grace, SIGKILL) and their cgroups
// removed; detached processes are adopted and run on, as processes of this
// service under their old IDs, so Get, List, IsRunning and Kill find them.
// An adopted process's exit status is not known (ExitCode -1), and its
// output is in its output file only. The stops go on in the background:
// a unit's process starts only once they are over (awaitReclaimed), and
// OnShutdown finishes them (finishReclaim).
func (s *Service) reclaim() {
	r := &s.reclaimed
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gone != nil {
		return // an earlier OnStartup has reclaimed
	}
	r.gone = make(chan struct{})
	if s.cgroups == nil {
		close(r.gone)
		return
	}
	var trees []stoppedTree
	for _, dead := range s.cgroups.claimDead() {
		c := s.reclaimInstance(dead)
		r.claims = append(r.claims, c)
		trees = append(trees, c.stopped...)
	}
	go awaitTreesGone(trees, r.gone)
}

// reclaimed is what this instance took over from dead ones.
type reclaimed struct {
	mu     sync.Mutex
	gone   chan struct{} // closed once the trees being stopped are gone
	claims []*deadInstance
}

// deadInstance is a dead instance's cgroup, claimed, with the processes
// adopted from it.
type deadInstance struct {
	claim
	adopted []*Process    // every one, detached or not
	stopped []stoppedTree // those not detached, being stopped
	once    sync.Once
}

// stoppedTree is the tree of an adopted process that was not detached,
// being stopped: halted is closed once its group is empty or has been
// sent SIGKILL.
type stoppedTree struct {
	p      *Process
	halted chan struct{}
}

// stopTree stops the tree of p in the background, its grace ending early
// when the service's graces are cut.
func (s *Service) stopTree(p *Process) stoppedTree {
	t := stoppedTree{p: p, halted: make(chan struct{})}
	go func() {
		defer close(t.halted)
		_ = p.stop(s.graces.context(), p.grace)
	}()
	return t
}

// finish removes the dead instance's cgroup and lets the claim go, once.
func (d *deadInstance) finish() {
	d.once.Do(func() {
		_ = d.group.Remove()
		d.release()
	})
}

// done reports whether every adopted process is done.
func (d *deadInstance) done() bool {
	for _, p := range d.adopted {
		if !p.isDone() {
			return false
		}
	}
	return true
}

// awaitTreesGone closes gone once the group of every process of trees is
// empty — or, for one that outlives SIGKILL, once treeGoneWait has passed
// after its stop.
func awaitTreesGone(trees []stoppedTree, gone chan struct{}) {
	defer close(gone)
	for _, t := range trees {
		<-t.halted
		ctx, cancel := context.WithTimeout(context.Background(), treeGoneWait)
		if !ends.await(t.p, true, ctx.Done()) {
			core.Warn("process: reclaim: a tree outlived SIGKILL", "pid", t.p.PID, "wait", treeGoneWait)
		}
		cancel()
	}
}

// awaitReclaimed returns once the trees that reclaim stops are gone, so
// that a unit's process never runs beside the one a dead instance left.
func (s *Service) awaitReclaimed() {
	s.reclaimed.mu.Lock()
	gone := s.reclaimed.gone
	s.reclaimed.mu.Unlock()
	if gone != nil {
		<-gone
	}
}

// finishReclaim is part of OnShutdown: it waits until the trees being
// stopped are gone — their grace periods cut short by the service's
// graces — then, within shutdownReapWait, until every adopted process is
// done, and removes the cgroups of the dead instances whose processes all
// are, letting the claims go.
func (s *Service) finishReclaim() {
	s.awaitReclaimed()
	s.reclaimed.mu.Lock()
	claims := s.reclaimed.claims
	s.reclaimed.mu.Unlock()
	var adopted []*Process
	for _, d := range claims {
		adopted = append(adopted, d.adopted...)
	}
	awaitAllEnded(adopted)
	for _, d := range claims {
		if d.done() {
			d.finish()
		}
	}
}

// reclaimInstance adopts the processes of the cgroup of a dead instance,
// which this instance has claimed, and lets the claim go once the last of
// them has ended.
func (s *Service) reclaimInstance(dead claim) *deadInstance {
	leaves, err := dead.group.Children()
	if err != nil {
		core.Warn("process: reclaim", "cgroup", dead.group.Dir(), "err", err)
	}
	d := &deadInstance{claim: dead}
	for _, leaf := range leaves {
		if p := s.adopt(leaf); p != nil {
			d.adopted = append(d.adopted, p)
			if !p.detached {
				d.stopped = append(d.stopped, s.stopTree(p))
			}
		}
	}
	go func() {
		for _, p := range d.adopted {
			<-p.Done()
		}
		d.finish()
	}()
	return d
}

// claim is the cgroup of a dead instance that this instance has claimed
// (cgroup.Group.Claim): no other instance takes it while this one lives.
type claim struct {
	group   cgroup.Group
	release func()
}

// claimDead claims the cgroups of the dead instances of this program that
// no live instance has claimed.
func (h *cgroupHome) claimDead() []claim {
	instances, err := h.base.Children()
	if err != nil {
		return nil
	}
	var claimed []claim
	for _, g := range instances {
		if instanceAlive(filepath.Base(g.Dir())) {
			continue
		}
		if release, ok := g.Claim(); ok {
			claimed = append(claimed, claim{group: g, release: release})
		}
	}
	return claimed
}

// adopt takes over the members of a cgroup a dead instance left: it
// stops them, unless they are a detached process's, which it adopts. It
// returns the process the members are, or nil if the cgroup had none.
func (s *Service) adopt(leaf cgroup.Group) *Process {
	name := filepath.Base(leaf.Dir())
	id, detached := strings.CutSuffix(name, detachedSuffix)
	pids, _ := leaf.Members()
	if len(pids) == 0 || (detached && s.table.has(id)) {
		_ = leaf.Remove()
		return nil
	}
	p := s.adoptedProcess(id, leaf, oldest(pids), detached)
	if !detached {
		// Not this service's: reported to nobody, and stopped by the
		// caller.
		go p.superviseAdopted(func(core.Message) {}, func(*Process) {})
		return p
	}
	if s.table.admit() != nil {
		return nil
	}
	s.table.admitted(p)
	go p.superviseAdopted(s.broadcast, s.table.retire)
	return p
}

// superviseAdopted waits until no member of the adopted process is left
// and reports its end.
func (p *Process) superviseAdopted(notify func(core.Message), ended func(*Process)) {
	ends.await(p, true, nil)
	p.conclude(notify, ended)
}

// adoptedProcess builds the Process for the members of leaf, led by pid.
func (s *Service) adoptedProcess(id string, leaf cgroup.Group, pid int, detached bool) *Process {
	argv := commandLine(pid)
	p := &Process{
		ID:        id,
		PID:       pid,
		StartedAt: time.Now(),
		grace:     s.gracePeriod(0),
		detached:  detached,
		contained: ContainmentCgroup,
		adopted:   true,
		exited:    make(chan struct{}),
		done:      make(chan struct{}),
		group:     group{pidfd: -1, cgroup: &leafCgroup{Group: leaf, memory: leaf.HasMemoryPeak()}},
	}
	if len(argv) > 0 {
		p.Command, p.Args = argv[0], argv[1:]
	}
	if info, err := os.Stat(leaf.Dir()); err == nil {
		p.StartedAt = info.ModTime() // made just before the process started
	}
	if detached {
		if path, err := s.outputPath(id); err == nil {
			if _, err := os.Stat(path); err == nil {
				p.outputFile = path
			}
		}
	}
	return p
}

// oldest returns the process that started first.
func oldest(pids []int) int {
	best, bestStart := pids[0], uint64(1<<64-1)
	for _, pid := range pids {
		if start, err := proc.StartTime(pid); err == nil && start < bestStart {
			best, bestStart = pid, start
		}
	}
	return best
}

// commandLine returns the arguments process pid was started with.
func commandLine(pid int) []string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(data) == 0 {
		return nil
	}
	var argv []string
	for arg := range bytes.SplitSeq(bytes.TrimSuffix(data, []byte{0}), []byte{0}) {
		argv = append(argv, string(arg))
	}
	return argv
}
