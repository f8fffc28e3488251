package process

import (
	"os"
	"syscall"

	"dappco.re/go/core/process/internal/cgroup"
)

// holding is how a child about to start will be held with its
// descendants.
type holding struct {
	cgroup *leafCgroup // ContainmentCgroup: the cgroup it starts in
	dir    *os.File    // the cgroup's directory, open until the child has started
	marker string      // ContainmentGroup: the environment item it carries
}

// hold prepares the containment of process id, whose child is about to
// start with sys and prog: in ContainmentCgroup, a cgroup of its own that
// the child starts in; in ContainmentGroup, the marker in its environment
// by which its orphans are recognised.
func (s *Service) hold(id string, detached bool, prog *program, sys *syscall.SysProcAttr) (holding, error) {
	if s.cgroups == nil {
		marker := groupMarkerEnv + "=" + id
		prog.env = mergeEnv(prog.env, []string{marker})
		return holding{marker: marker}, nil
	}
	l, dir, err := s.cgroups.leaf(id, detached)
	if err != nil {
		return holding{}, err
	}
	cgroup.StartIn(sys, dir)
	return holding{cgroup: l, dir: dir}, nil
}

// started releases what only the start needed.
func (h *holding) started() {
	if h.dir != nil {
		h.dir.Close()
		h.dir = nil
	}
}

// discard undoes the holding of a child that did not start or was
// discarded.
func (h *holding) discard() {
	h.started()
	if h.cgroup != nil {
		_ = h.cgroup.Remove()
	}
}
