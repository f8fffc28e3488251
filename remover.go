package process

import (
	"sync"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/cgroup"
)

// remover removes, on a goroutine of its own, cgroups with no member left
// that nothing needs any more, so that neither a Run nor a supervisor waits
// for the kernel to tear a cgroup down. The goroutine runs while there is
// work.
type remover struct {
	mu    sync.Mutex
	queue []cgroup.Group
	idle  chan struct{} // closed when the goroutine ends; nil while none runs
}

// cgroupRemover is the remover of this program.
var cgroupRemover remover

// remove queues g for removal.
func (r *remover) remove(g cgroup.Group) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queue = append(r.queue, g)
	if r.idle == nil {
		r.idle = make(chan struct{})
		go r.run(r.idle)
	}
}

// run removes the queued cgroups until there are none, then closes idle.
func (r *remover) run(idle chan struct{}) {
	r.mu.Lock()
	for len(r.queue) > 0 {
		g := r.queue[0]
		r.queue = r.queue[1:]
		r.mu.Unlock()
		if err := g.Remove(); err != nil {
			core.Warn("process: remove cgroup", "cgroup", g.Dir(), "err", err)
		}
		r.mu.Lock()
	}
	r.idle = nil
	r.mu.Unlock()
	close(idle)
}

// flush returns once every cgroup queued so far has been removed.
func (r *remover) flush() {
	r.mu.Lock()
	idle := r.idle
	r.mu.Unlock()
	if idle != nil {
		<-idle
	}
}
