package api

import (
	"context"
	"net/http"
	"net/url"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
)

// handleListProcesses is GET /v1/processes (?running=1): process.list.
func (s *Server) handleListProcesses(w http.ResponseWriter, r *http.Request) {
	running, err := queryFlag(r, "running")
	if err != nil {
		respondError(w, err)
		return
	}
	infos, err := runAs[[]process.ProcessInfo](s, r.Context(), "process.list", opt("running", running))
	if err != nil {
		respondError(w, err)
		return
	}
	if infos == nil {
		infos = []process.ProcessInfo{}
	}
	respondJSON(w, http.StatusOK, infos)
}

// handleGetProcess is GET /v1/processes/{id}: process.get.
func (s *Server) handleGetProcess(w http.ResponseWriter, r *http.Request) {
	info, err := runAs[process.ProcessInfo](s, r.Context(), "process.get", opt("id", r.PathValue("id")))
	if err != nil {
		respondError(w, err)
		return
	}
	respondJSON(w, http.StatusOK, info)
}

// handleStartProcess is POST /v1/processes: process.start with the
// body's fields as its options (the action refuses unknown ones, naming
// them), then 201 with the new process's ProcessInfo. Over a non-unix
// listener it is 403 unless Options.AllowStart. The process outlives the
// request.
func (s *Server) handleStartProcess(w http.ResponseWriter, r *http.Request) {
	if isRemote(r) && !s.opts.AllowStart {
		respondErrorMessage(w, http.StatusForbidden, "api: starting processes over TCP is not allowed (the server was not started with AllowStart)")
		return
	}
	fields, err := readObject(w, r, nil)
	if err != nil {
		respondError(w, err)
		return
	}
	opts := make([]core.Option, 0, len(fields))
	for _, key := range sortedKeys(fields) {
		opts = append(opts, opt(key, fields[key]))
	}
	// The request's context ends with the request; the process must not.
	ctx := context.WithoutCancel(r.Context())
	id, err := runAs[string](s, ctx, "process.start", opts...)
	if err != nil {
		respondError(w, err)
		return
	}
	info, err := runAs[process.ProcessInfo](s, r.Context(), "process.get", opt("id", id))
	if err != nil {
		respondError(w, err)
		return
	}
	w.Header().Set("Location", "/v1/processes/"+url.PathEscape(id))
	respondJSON(w, http.StatusCreated, info)
}

// handleSignalProcess is POST /v1/processes/{id}/signal {"signal": "TERM"}:
// process.signal.
func (s *Server) handleSignalProcess(w http.ResponseWriter, r *http.Request) {
	fields, err := readObject(w, r, []string{"signal"})
	if err != nil {
		respondError(w, err)
		return
	}
	opts := []core.Option{opt("id", r.PathValue("id"))}
	if sig, found := fields["signal"]; found {
		opts = append(opts, opt("signal", sig))
	}
	s.noContent(w, r, "process.signal", opts...)
}

// handleKillProcess is POST /v1/processes/{id}/kill: process.kill.
func (s *Server) handleKillProcess(w http.ResponseWriter, r *http.Request) {
	if _, err := readObject(w, r, []string{}); err != nil {
		respondError(w, err)
		return
	}
	s.noContent(w, r, "process.kill", opt("id", r.PathValue("id")))
}

// handleInputProcess is POST /v1/processes/{id}/input {"input": "text"}
// (and "close": true to close stdin after it): process.input.
func (s *Server) handleInputProcess(w http.ResponseWriter, r *http.Request) {
	fields, err := readObject(w, r, []string{"input", "close"})
	if err != nil {
		respondError(w, err)
		return
	}
	opts := []core.Option{opt("id", r.PathValue("id"))}
	for _, key := range sortedKeys(fields) {
		opts = append(opts, opt(key, fields[key]))
	}
	s.noContent(w, r, "process.input", opts...)
}

// handleProcessOutput is GET /v1/processes/{id}/output: process.output,
// as {"output": "..."}.
func (s *Server) handleProcessOutput(w http.ResponseWriter, r *http.Request) {
	out, err := runAs[string](s, r.Context(), "process.output", opt("id", r.PathValue("id")))
	if err != nil {
		respondError(w, err)
		return
	}
	respondJSON(w, http.StatusOK, map[string]string{"output": out})
}

// noContent runs the named action and answers 204, or its error.
func (s *Server) noContent(w http.ResponseWriter, r *http.Request, name string, opts ...core.Option) {
	if _, err := s.run(r.Context(), name, opts...); err != nil {
		respondError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
