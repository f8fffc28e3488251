package api

import (
	"context"
	"net/http"
	"sync"
)

// requestTracker counts the requests in flight so that Shutdown can wait
// for them, and refuses new ones once it has been closed.
type requestTracker struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{} // closed once closed and n is 0
}

func (t *requestTracker) init() { t.idle = make(chan struct{}) }

// wrap counts every request of next; after close it answers 503.
func (t *requestTracker) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !t.enter() {
			respondErrorMessage(w, http.StatusServiceUnavailable, "api: the server is shutting down")
			return
		}
		defer t.leave()
		next.ServeHTTP(w, r)
	})
}

func (t *requestTracker) enter() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.n++
	return true
}

func (t *requestTracker) leave() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.closed && t.n == 0 {
		close(t.idle)
	}
}

// close refuses new requests from now on.
func (t *requestTracker) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	if t.n == 0 {
		close(t.idle)
	}
}

// wait returns once every request in flight has ended, or with ctx's
// error.
func (t *requestTracker) wait(ctx context.Context) error {
	select {
	case <-t.idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
