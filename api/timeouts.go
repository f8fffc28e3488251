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
	// answerTimeout bounds sending an answer, from its first byte.
	answerTimeout = 30 * time.Second
)

// timeouts are the limits of one Server; tests shorten them.
type timeouts struct {
	header, body, idle, answer time.Duration
}

var defaultTimeouts = timeouts{header: headerTimeout, body: bodyTimeout, idle: idleTimeout, answer: answerTimeout}

// httpServer returns the http.Server that serves h with s's timeouts.
// The write timeout runs from an answer's first byte, not from the
// request, since an answer may take as long as the action it reports on
// (a restart waits out a grace period); an event stream is exempt from
// it and bounds each of its writes instead (streamWriteTimeout).
func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           s.bodyWithin(s.answerWithin(h)),
		ReadHeaderTimeout: s.limits.header,
		IdleTimeout:       s.limits.idle,
	}
}

// answerWithin gives the client s.limits.answer, from an answer's first
// byte, to take all of it; a client that does not is disconnected. An
// event stream is left alone.
func (s *Server) answerWithin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Time{}) // the previous answer's, on a kept-alive connection
		next.ServeHTTP(&boundedAnswer{ResponseWriter: w, rc: rc, limit: s.limits.answer}, r)
	})
}

// boundedAnswer sets the write deadline of its answer when the answer
// begins, unless it is an event stream.
type boundedAnswer struct {
	http.ResponseWriter
	rc      *http.ResponseController
	limit   time.Duration
	started bool
}

func (b *boundedAnswer) begin() {
	if b.started {
		return
	}
	b.started = true
	if b.Header().Get("Content-Type") != "text/event-stream" {
		_ = b.rc.SetWriteDeadline(time.Now().Add(b.limit))
	}
}

func (b *boundedAnswer) WriteHeader(status int) {
	b.begin()
	b.ResponseWriter.WriteHeader(status)
}

func (b *boundedAnswer) Write(p []byte) (int, error) {
	b.begin()
	return b.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (b *boundedAnswer) Unwrap() http.ResponseWriter { return b.ResponseWriter }

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
		if len(body) > maxBodyBytes {
			// The rest is never read: the connection closes after the
			// answer, and the deadline stays so that the server does not
			// wait for the rest either.
			w.Header().Set("Connection", "close")
		} else {
			_ = rc.SetReadDeadline(time.Time{})
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}
