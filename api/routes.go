package api

import (
	"fmt"
	"net/http"
)

// routes returns the mux of every route of docs/api.md. A request no
// route takes gets the mux's status (404, or 405 with Allow) with an
// ErrorBody.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", dashboardHandler())

	mux.HandleFunc("GET /v1/processes", s.handleListProcesses)
	mux.HandleFunc("POST /v1/processes", s.handleStartProcess)
	mux.HandleFunc("GET /v1/processes/{id}", s.handleGetProcess)
	mux.HandleFunc("POST /v1/processes/{id}/signal", s.handleSignalProcess)
	mux.HandleFunc("POST /v1/processes/{id}/kill", s.handleKillProcess)
	mux.HandleFunc("POST /v1/processes/{id}/input", s.handleInputProcess)
	mux.HandleFunc("GET /v1/processes/{id}/output", s.handleProcessOutput)

	mux.HandleFunc("GET /v1/units", s.handleListUnits)
	mux.HandleFunc("GET /v1/units/{name}", s.handleGetUnit)
	mux.HandleFunc("POST /v1/units/{name}/start", s.handleStartUnit)
	mux.HandleFunc("POST /v1/units/{name}/stop", s.handleStopUnit)
	mux.HandleFunc("POST /v1/units/{name}/restart", s.handleRestartUnit)
	mux.HandleFunc("GET /v1/units/{name}/logs", s.handleUnitLogs)
	mux.HandleFunc("POST /v1/down", s.handleDown)

	mux.HandleFunc("GET /v1/events", s.handleEvents)

	mux.HandleFunc("GET /health", s.handleHealth)
	mux.HandleFunc("GET /ready", s.handleReady)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			noRoute(mux, w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// noRoute answers a request that no route takes with the status the mux
// gives it (404, or 405 with its Allow header), as an ErrorBody.
func noRoute(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	rec := &statusOnly{header: http.Header{}}
	h, _ := mux.Handler(r)
	h.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusNotFound
	}
	if allow := rec.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	respondErrorMessage(w, rec.status, fmt.Sprintf("api: %s %s: %s", r.Method, r.URL.Path, http.StatusText(rec.status)))
}

// statusOnly is a ResponseWriter that keeps only the headers and status.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header { return s.header }

func (s *statusOnly) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return len(b), nil
}

func (s *statusOnly) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
}
