package process

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
// output is in its output file only.
func (s *Service) reclaim() {
	if s.cgroups == nil {
		return
	}
	for _, dead := range s.cgroups.claimDead() {
		s.reclaimInstance(dead)
	}
}

// reclaimInstance adopts the processes of the cgroup of a dead instance,
// which this instance has claimed, and lets the claim go once the last of
// them has ended.
func (s *Service) reclaimInstance(dead claim) {
	leaves, err := dead.group.Children()
	if err != nil {
		core.Warn("process: reclaim", "cgroup", dead.group.Dir(), "err", err)
	}
	var adopted []*Process
	for _, leaf := range leaves {
		if p := s.adopt(leaf); p != nil {
			adopted = append(adopted, p)
		}
	}
	go func() {
		for _, p := range adopted {
			<-p.Done()
		}
		_ = dead.group.Remove()
		dead.release()
	}()
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
		// Not this service's: stopped, and reported to nobody.
		go func() { _ = p.stop(context.Background(), p.grace) }()
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
