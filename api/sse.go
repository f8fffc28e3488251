package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// streamWriteTimeout bounds one write to a stream client: a client that
// accepts nothing for this long is disconnected.
const streamWriteTimeout = 30 * time.Second

// sseStream writes Server-Sent Events to one client, flushing after each.
type sseStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// startStream sends the headers of an event stream.
func startStream(w http.ResponseWriter) (*sseStream, error) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return nil, fmt.Errorf("api: event stream: %w", err)
	}
	return &sseStream{w: w, rc: rc}, nil
}

// event writes one event whose data is v as JSON, and flushes it.
func (st *sseStream) event(name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("api: event %s: %w", name, err)
	}
	return st.write("event: " + name + "\ndata: " + string(data) + "\n\n")
}

// comment writes a comment line (": text"), and flushes it.
func (st *sseStream) comment(text string) error {
	return st.write(": " + text + "\n\n")
}

func (st *sseStream) write(s string) error {
	_ = st.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)) // not every writer has deadlines
	if _, err := st.w.Write([]byte(s)); err != nil {
		return err
	}
	return st.rc.Flush()
}

// end clears the write deadline, so that a kept-alive connection is not
// cut by it later.
func (st *sseStream) end() {
	_ = st.rc.SetWriteDeadline(time.Time{})
}

// pump sends f's items as events (encode gives each one's type and data)
// until the client goes, is dropped (a last "dropped" event), or the
// server shuts down; a ": ping" comment goes out every s.pingEvery.
func pump[T any](s *Server, r *http.Request, st *sseStream, f *feed[T], encode func(T) (string, any)) {
	defer st.end()
	ping := time.NewTicker(s.pingEvery)
	defer ping.Stop()
	sendDropped := func() {
		_ = st.event("dropped", droppedData{
			Reason: fmt.Sprintf("the client fell more than %d events behind", cap(f.items)),
		})
	}
	for {
		select { // a drop goes first: the queued events are not sent
		case <-f.dropped:
			sendDropped()
			return
		default:
		}
		select {
		case v := <-f.items:
			if err := st.event(encode(v)); err != nil {
				return
			}
		case <-f.dropped:
			sendDropped()
			return
		case <-ping.C:
			if err := st.comment("ping"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}
