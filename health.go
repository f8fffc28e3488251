package process

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// HealthCheck reports what is wrong with a program, or nil when nothing is.
type HealthCheck func() error

// Timeouts of a HealthServer's http.Server: a client that never finishes
// its headers, or keeps an idle connection, does not hold it forever.
const (
	healthReadHeaderTimeout = 10 * time.Second
	healthReadTimeout       = 30 * time.Second
	healthIdleTimeout       = 120 * time.Second
)

// HealthServer serves a program's health over HTTP:
//
//	GET /health  200 "ok", or 503 "unhealthy: <error>" from the first failing check
//	GET /ready   200 "ready", or 503 "not ready"
//
// It is ready from the start until SetReady(false). Its methods are safe
// for concurrent use.
type HealthServer struct {
	addr  string
	ready atomic.Bool

	mu       sync.Mutex
	checks   []HealthCheck
	server   *http.Server
	listener net.Listener
	bound    string // the address the last Start listened on
}

// NewHealthServer returns a HealthServer that will listen on the TCP
// address addr ("127.0.0.1:0" picks a free port; see Addr).
func NewHealthServer(addr string) *HealthServer {
	h := &HealthServer{addr: addr}
	h.ready.Store(true)
	return h
}

// AddCheck adds a check that /health runs, after those added before it.
func (h *HealthServer) AddCheck(check HealthCheck) {
	if check == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks = append(h.checks, check)
}

// SetReady sets what /ready answers.
func (h *HealthServer) SetReady(ready bool) { h.ready.Store(ready) }

// Ready reports what /ready answers.
func (h *HealthServer) Ready() bool { return h.ready.Load() }

// Start listens on the address and serves in the background. Starting a
// server that is serving is an error.
func (h *HealthServer) Start() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.server != nil {
		return fmt.Errorf("health server %s: already serving", h.bound)
	}
	ln, err := net.Listen("tcp", h.addr)
	if err != nil {
		return fmt.Errorf("health server: listen %s: %w", h.addr, err)
	}
	srv := &http.Server{
		Handler:           h.handler(),
		ReadHeaderTimeout: healthReadHeaderTimeout,
		ReadTimeout:       healthReadTimeout,
		IdleTimeout:       healthIdleTimeout,
	}
	h.server, h.listener, h.bound = srv, ln, ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// Stop stops serving: it stops accepting, lets the requests in progress
// finish until ctx ends, then closes what is left. Stopping a server that
// is not serving (never started, or stopped already) does nothing.
func (h *HealthServer) Stop(ctx context.Context) error {
	h.mu.Lock()
	srv := h.server
	h.server, h.listener = nil, nil
	h.mu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("health server %s: stop: %w", h.Addr(), err)
	}
	return nil
}

// Addr returns the address the server listens on (or last listened on),
// with the port chosen for ":0"; before the first Start, the address given
// to NewHealthServer.
func (h *HealthServer) Addr() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.bound != "" {
		return h.bound
	}
	return h.addr
}

func (h *HealthServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		if err := h.check(); err != nil {
			http.Error(w, "unhealthy: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		writeText(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		if !h.Ready() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		writeText(w, http.StatusOK, "ready")
	})
	return mux
}

// check runs the checks in order and returns the first failure.
func (h *HealthServer) check() error {
	h.mu.Lock()
	checks := append([]HealthCheck(nil), h.checks...)
	h.mu.Unlock()
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

// writeText answers with status and text, a line of plain text.
func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = fmt.Fprintln(w, text)
}

// WaitForHealth polls http://addr/health until it answers 200 or timeoutMs
// milliseconds have passed, and reports whether it did.
func WaitForHealth(addr string, timeoutMs int) bool {
	deadline := time.Now().Add(time.Duration(timeoutMs) * time.Millisecond)
	client := &http.Client{Timeout: time.Second}
	for {
		if healthy(client, addr, deadline) {
			return true
		}
		if !time.Now().Add(50 * time.Millisecond).Before(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// healthy asks addr's /health once, giving up at deadline.
func healthy(client *http.Client, addr string, deadline time.Time) bool {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/health", nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
