package process

import (
	"runtime"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/proc"
)

// Events of a process are delivered on one goroutine at a time, in order:
// the supervisor's (the caller's for Run), or Start's caller for the start
// event. While it delivers them, that goroutine is locked to its thread and
// the thread is recorded, so a handler that waits for the process — which
// would wait for its own return — can be told from everyone else.

// beginDelivery marks the calling goroutine as the deliverer of p's events.
func (p *Process) beginDelivery() {
	runtime.LockOSThread()
	p.deliverer.Store(int32(proc.ThreadID()))
}

// endDelivery ends what beginDelivery began.
func (p *Process) endDelivery() {
	p.deliverer.Store(0)
	runtime.UnlockOSThread()
}

// deliveringHere reports whether the caller is delivering p's events: a
// handler of one of them, or something it called.
func (p *Process) deliveringHere() bool {
	tid := p.deliverer.Load()
	return tid != 0 && int(tid) == proc.ThreadID()
}

// deliver broadcasts msg as an event of p.
func (p *Process) deliver(notify func(core.Message), msg core.Message) {
	p.beginDelivery()
	defer p.endDelivery()
	notify(msg)
}
