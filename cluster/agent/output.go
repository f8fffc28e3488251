package agent

import (
	"bytes"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"

	"dappco.re/go/core/process/cluster"
)

// maxLine is the longest line published as one message; a longer one is
// split.
const maxLine = 64 << 10

// lineWriter publishes a unit's output to its LogSubject, a message per
// line. It never fails: a line NATS does not take (the connection's
// reconnect buffer is full) is counted in dropped and lost, so the unit's
// process is never held up or failed by NATS.
type lineWriter struct {
	nc      *nats.Conn
	subject string
	stream  string

	mu      sync.Mutex
	partial []byte
	dropped atomic.Int64
}

// Write publishes each complete line of p, keeping a trailing partial line
// for the next Write.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 && len(w.partial) < maxLine {
			break
		}
		end, next := i, i+1
		if i < 0 || i > maxLine {
			end, next = maxLine, maxLine
		}
		w.publish(w.partial[:end])
		w.partial = w.partial[next:]
	}
	if len(w.partial) == 0 {
		w.partial = nil
	}
	return len(p), nil
}

// publish sends one line.
func (w *lineWriter) publish(line []byte) {
	msg := &nats.Msg{Subject: w.subject, Data: bytes.Clone(line), Header: nats.Header{}}
	msg.Header.Set(cluster.StreamHeader, w.stream)
	if err := w.nc.PublishMsg(msg); err != nil {
		w.dropped.Add(1)
	}
}

// output returns the unit's stdout and stderr writers, the same ones for
// the life of the agent.
func (a *runner) output(unit string) [2]*lineWriter {
	a.outMu.Lock()
	defer a.outMu.Unlock()
	w, ok := a.outputs[unit]
	if !ok {
		subject := cluster.LogSubject(a.o.Node, unit)
		w = [2]*lineWriter{
			{nc: a.nc, subject: subject, stream: "stdout"},
			{nc: a.nc, subject: subject, stream: "stderr"},
		}
		a.outputs[unit] = w
	}
	return w
}
