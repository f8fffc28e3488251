package api

import (
	"net/http"
	"strings"

	"dappco.re/go/core/process"
)

// handleUnitLogs is GET /v1/units/{name}/logs (?follow=1): the unit's
// lines, oldest first, as JSON or, with follow, as "log" events followed
// by each new line. For an attached unit (Attach) the lines are those of
// its log; otherwise they are the retained output of its current run,
// split into lines (stream and time unknown), and a follow then streams
// the output events of the unit's processes.
func (s *Server) handleUnitLogs(w http.ResponseWriter, r *http.Request) {
	follow, err := queryFlag(r, "follow")
	if err != nil {
		respondError(w, err)
		return
	}
	name := r.PathValue("name")
	info, err := s.unitInfo(r, name)
	if err != nil {
		respondError(w, err)
		return
	}
	log := s.logs.unit(name, false)
	switch {
	case log != nil && !follow:
		respondJSON(w, http.StatusOK, log.lines())
	case log != nil:
		s.followLog(w, r, log)
	case !follow:
		respondJSON(w, http.StatusOK, s.retainedLines(info))
	default:
		s.followOutput(w, r, info)
	}
}

// followLog streams an attached unit's log.
func (s *Server) followLog(w http.ResponseWriter, r *http.Request, log *unitLog) {
	backlog, f := log.follow(s.opts.EventBuffer)
	defer log.unfollow(f)
	stream, err := startStream(w)
	if err != nil {
		respondError(w, err)
		return
	}
	if !sendBacklog(stream, backlog) {
		return
	}
	pump(s, r, stream, f, func(line LogLine) (string, any) { return "log", line })
}

// followOutput streams the lines of a unit that was never attached: the
// retained output of its current run, then the output events of its
// processes (the current one, and those of its later runs). Subscribing
// comes first, so no line is lost between the two; one may be repeated.
// A process is the unit's when the unit names it (UnitInfo.ProcessID)
// at its first line: the unit manager names a run's process before its
// first line is broadcast, so no line of a new run is lost either.
func (s *Server) followOutput(w http.ResponseWriter, r *http.Request, info process.UnitInfo) {
	ours := map[string]bool{} // by process ID: whether it is the unit's
	if info.ProcessID != "" {
		ours[info.ProcessID] = true
	}
	accept := func(ev hubEvent) bool { // under the hub's lock: ours needs no other
		switch d := ev.data.(type) {
		case outputData:
			is, known := ours[d.ID]
			if !known {
				now, err := s.svc.Unit(info.Name)
				is = err == nil && now.ProcessID == d.ID
				ours[d.ID] = is
			}
			return is
		case exitedData:
			delete(ours, d.ID) // its lines have all been broadcast
		}
		return false
	}
	sub := s.hub.subscribe(true, accept)
	defer s.hub.unsubscribe(sub)
	backlog := s.retainedLines(info)
	stream, err := startStream(w)
	if err != nil {
		respondError(w, err)
		return
	}
	if !sendBacklog(stream, backlog) {
		return
	}
	pump(s, r, stream, sub.feed, func(ev hubEvent) (string, any) {
		d, _ := ev.data.(outputData)
		return "log", LogLine{Unit: info.Name, ProcessID: d.ID, Stream: d.Stream, Line: d.Line, Time: ev.at}
	})
}

// sendBacklog sends lines as "log" events; false when the client has gone.
func sendBacklog(stream *sseStream, lines []LogLine) bool {
	for _, line := range lines {
		if err := stream.event("log", line); err != nil {
			stream.end()
			return false
		}
	}
	return true
}

// retainedLines splits the retained output of the unit's current
// process into LogLines; none when it has no process, or the process has
// left the table.
func (s *Server) retainedLines(info process.UnitInfo) []LogLine {
	lines := []LogLine{}
	if info.ProcessID == "" {
		return lines
	}
	out, err := s.svc.Output(info.ProcessID)
	if err != nil || out == "" {
		return lines
	}
	out = strings.TrimSuffix(out, "\n")
	for _, text := range strings.Split(out, "\n") {
		lines = append(lines, LogLine{Unit: info.Name, ProcessID: info.ProcessID, Line: strings.TrimSuffix(text, "\r")})
	}
	return lines
}
