package api

import (
	"slices"
	"sync"
	"time"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
)

// hubEvent is one event of GET /v1/events: its SSE type and its data,
// encoded as JSON by the stream that sends it.
type hubEvent struct {
	name string
	data any
	at   time.Time // when an output line was broadcast; zero for other events
}

// hubSub is one subscriber of the event hub.
type hubSub struct {
	feed   *feed[hubEvent]
	output bool // wants output events
	// accept, when set, decides alone which events the subscriber gets
	// (output events included, since it has output set). It runs under
	// the hub's lock and must be quick.
	accept func(hubEvent) bool
}

// wants reports whether sub gets ev.
func (sub *hubSub) wants(ev hubEvent, output bool) bool {
	if sub.accept != nil {
		return sub.accept(ev)
	}
	return !output || sub.output
}

// eventHub fans the Core's broadcasts out to the stream subscribers. Its
// handler never blocks: a subscriber whose queue is full is dropped.
type eventHub struct {
	mu         sync.Mutex
	subs       []*hubSub
	outputSubs int // subscribers that want output events
	size       int
	drops      int // subscribers dropped so far (for tests and logs)
}

func newEventHub(size int) *eventHub {
	return &eventHub{size: size}
}

// subscribe adds a subscriber with a queue of the hub's size.
func (h *eventHub) subscribe(output bool, accept func(hubEvent) bool) *hubSub {
	sub := &hubSub{feed: newFeed[hubEvent](h.size), output: output, accept: accept}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs = append(h.subs, sub)
	if output {
		h.outputSubs++
	}
	return sub
}

// unsubscribe removes sub, if it is still there.
func (h *eventHub) unsubscribe(sub *hubSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(sub)
}

func (h *eventHub) removeLocked(sub *hubSub) bool {
	i := slices.Index(h.subs, sub)
	if i < 0 {
		return false
	}
	h.subs = slices.Delete(h.subs, i, i+1)
	if sub.output {
		h.outputSubs--
	}
	return true
}

// dropped returns how many subscribers have been dropped so far.
func (h *eventHub) dropped() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.drops
}

// handle is the broadcast handler registered with the Core: it queues
// the message's event for every subscriber that wants it, in broadcast
// order, and drops those whose queue is full. Output events are built
// only when a subscriber wants them.
func (h *eventHub) handle(_ *core.Core, msg core.Message) core.Result {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) == 0 {
		return core.Result{OK: true}
	}
	ev, isEvent := toHubEvent(msg, h.outputSubs > 0)
	if !isEvent {
		return core.Result{OK: true}
	}
	output := ev.name == "output"
	for i := 0; i < len(h.subs); {
		sub := h.subs[i]
		if !sub.wants(ev, output) || sub.feed.offer(ev) {
			i++
			continue
		}
		h.removeLocked(sub) // shifts the next subscriber to i
		h.drops++
		sub.feed.drop()
	}
	return core.Result{OK: true}
}

// noArgs is the Args of a "started" event for a process without any.
var noArgs = []string{}

// toHubEvent translates a broadcast into an event; output lines only
// when withOutput.
func toHubEvent(msg core.Message, withOutput bool) (hubEvent, bool) {
	switch m := msg.(type) {
	case process.ActionProcessOutput:
		if !withOutput {
			return hubEvent{}, false
		}
		return hubEvent{name: "output", data: outputData{ID: m.ID, Stream: string(m.Stream), Line: m.Line}, at: time.Now()}, true
	case process.ActionProcessStarted:
		args := m.Args
		if args == nil {
			args = noArgs // [] rather than null
		}
		return hubEvent{name: "started", data: startedData{ID: m.ID, Command: m.Command, Args: args, Dir: m.Dir, PID: m.PID}}, true
	case process.ActionProcessExited:
		data := exitedData{ID: m.ID, ExitCode: m.ExitCode, Duration: m.Duration}
		if m.Error != nil {
			data.Error = m.Error.Error()
		}
		return hubEvent{name: "exited", data: data}, true
	case process.ActionProcessKilled:
		return hubEvent{name: "killed", data: killedData{ID: m.ID, Signal: m.Signal}}, true
	case process.ActionUnitChanged:
		return hubEvent{name: "unit", data: unitData{Name: m.Name, State: string(m.State), Restarts: m.Restarts, ProcessID: m.ProcessID, Error: m.Error}}, true
	}
	return hubEvent{}, false
}
