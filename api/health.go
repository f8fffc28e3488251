package api

import (
	"fmt"
	"net/http"
)

// The probe endpoints answer without a token, on every listener, and tell
// nothing but their one word:
//
//	GET /health  200 "ok" while the server serves
//	GET /ready   200 "ready" once SetReady(true), else 503 "not ready"

// SetReady sets what GET /ready answers. A server starts not ready; its
// owner (goprocess up) makes it ready once Up has returned.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// isProbe reports whether r asks for /health or /ready, the only requests
// a non-unix listener answers without a token.
func isProbe(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return r.URL.Path == "/health" || r.URL.Path == "/ready"
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	probeAnswer(w, http.StatusOK, "ok")
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		probeAnswer(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	probeAnswer(w, http.StatusOK, "ready")
}

// probeAnswer writes text as a line of plain text with status.
func probeAnswer(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = fmt.Fprintln(w, text)
}
