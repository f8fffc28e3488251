package api

import (
	"net/http"
	"time"
)

// The data of each event type of GET /v1/events, as docs/api.md lists
// them.
type (
	// unitData is a "unit" event: an ActionUnitChanged.
	unitData struct {
		Name      string `json:"name"`
		State     string `json:"state"`
		Restarts  int    `json:"restarts"`
		ProcessID string `json:"processId"`
		Error     string `json:"error"`
	}
	// startedData is a "started" event: an ActionProcessStarted.
	startedData struct {
		ID      string   `json:"id"`
		Command string   `json:"command"`
		Args    []string `json:"args"`
		Dir     string   `json:"dir"`
		PID     int      `json:"pid"`
	}
	// exitedData is an "exited" event: an ActionProcessExited; Duration in
	// nanoseconds, Error "" for exit status 0.
	exitedData struct {
		ID       string        `json:"id"`
		ExitCode int           `json:"exitCode"`
		Duration time.Duration `json:"duration"`
		Error    string        `json:"error"`
	}
	// killedData is a "killed" event: an ActionProcessKilled.
	killedData struct {
		ID     string `json:"id"`
		Signal string `json:"signal"`
	}
	// outputData is an "output" event: an ActionProcessOutput.
	outputData struct {
		ID     string `json:"id"`
		Stream string `json:"stream"`
		Line   string `json:"line"`
	}
	// droppedData is the "dropped" event, the last one a client too slow
	// to keep up gets.
	droppedData struct {
		Reason string `json:"reason"`
	}
)

// handleEvents is GET /v1/events (?output=1): the broadcasts as
// Server-Sent Events. The client is subscribed before the response
// headers are sent, so every event broadcast after they arrive reaches
// it, in broadcast order.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	output, err := queryFlag(r, "output")
	if err != nil {
		respondError(w, err)
		return
	}
	sub := s.hub.subscribe(output, nil)
	defer s.hub.unsubscribe(sub)
	stream, err := startStream(w)
	if err != nil {
		respondError(w, err)
		return
	}
	pump(s, r, stream, sub.feed, func(ev hubEvent) (string, any) { return ev.name, ev.data })
}
