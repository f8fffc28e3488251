package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// The time a client may take (docs/api.md, "Timeouts"). A stalled client
// holds a connection for at most these.
const (
	// headerTimeout bounds sending a request's headers.
	headerTimeout = 10 * time.Second
	// bodyTimeout bounds sending a request's body, from the end of its
	// headers.
	bodyTimeout = 30 * time.Second
	// idleTimeout bounds a kept-alive connection's wait for its next
	// request.
	idleTimeout = 120 * time.Second
)

// timeouts are the limits of one Server; tests shorten them.
type timeouts struct {
	header, body, idle time.Duration
}

var defaultTimeouts = timeouts{header: headerTimeout, body: bodyTimeout, idle: idleTimeout}

// httpServer returns the http.Server that serves h with s's timeouts.
// It has no write timeout: an answer may take as long as the action it
// reports on (a restart waits out a grace period), and an event stream
// lasts as long as its client; each write to a stream is bounded instead
// (streamWriteTimeout).
func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           s.bodyWithin(h),
		ReadHeaderTimeout: s.limits.header,
		IdleTimeout:       s.limits.idle,
	}
}

// bodyWithin reads a request's body (up to one byte more than
// maxBodyBytes) before next sees it, within s.limits.body: a client that
// declares a body and does not send it gets 408 and its connection
// closed. The read deadline is lifted once the body is in, so that it
// cannot cut a stream.
func (s *Server) bodyWithin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(s.limits.body)); err != nil {
			respondErrorMessage(w, http.StatusInternalServerError, fmt.Sprintf("api: request body: %v", err))
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil {
			// The deadline stays, so the server does not wait for the
			// rest of the body either.
			w.Header().Set("Connection", "close")
			if errors.Is(err, os.ErrDeadlineExceeded) {
				respondErrorMessage(w, http.StatusRequestTimeout, fmt.Sprintf("api: request body: not received within %s", s.limits.body))
				return
			}
			respondErrorMessage(w, http.StatusBadRequest, fmt.Sprintf("api: request body: %v", err))
			return
		}
		_ = rc.SetReadDeadline(time.Time{})
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}
