package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// Serve answers requests on l until Shutdown, and always closes l. A unix
// listener (Addr().Network() == "unix", as ListenUnix gives) is trusted:
// every route, no token. Any other listener needs Options.Token on every
// request, and keeps the doors docs/api.md describes: the Host header
// must name the listener (else 421), and a request that changes
// something must be same-origin (else 403) with a JSON body (else 415).
// Without a token of at least MinTokenBytes, Serve returns an error at
// once. After Shutdown it returns http.ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	if l == nil {
		return errors.New("api: serve: nil listener")
	}
	h := s.handler
	if l.Addr().Network() != "unix" {
		if err := CheckToken(s.opts.Token); err != nil {
			_ = l.Close()
			return fmt.Errorf("api: serve %s %s: a non-unix listener needs Options.Token: %w", l.Addr().Network(), l.Addr(), err)
		}
		h = s.hostCheck(s.guard(sameOrigin(jsonBody(h))))
	}
	srv := s.httpServer(h)
	srv.BaseContext = func(net.Listener) context.Context { return s.base }
	if !s.track(srv) {
		_ = l.Close()
		return http.ErrServerClosed
	}
	defer s.untrack(srv)
	return srv.Serve(l)
}

// track records srv for Shutdown; false once Shutdown has begun.
func (s *Server) track(srv *http.Server) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shut {
		return false
	}
	s.servers[srv] = struct{}{}
	return true
}

func (s *Server) untrack(srv *http.Server) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.servers, srv)
}

// Shutdown stops every listener Serve was given, ends the event and log
// streams, refuses new requests (503), cancels the context of the
// requests in flight and waits for their handlers, Handler's included.
// When ctx ends first it closes the remaining connections and returns
// ctx's error. It leaves the process service and its units alone.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shut = true
	servers := make([]*http.Server, 0, len(s.servers))
	for srv := range s.servers {
		servers = append(servers, srv)
	}
	s.mu.Unlock()

	s.closeOnce.Do(func() { close(s.closing) })
	s.inflight.close()
	s.cancel()

	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
			errs = append(errs, fmt.Errorf("api: shutdown: %w", err))
		}
	}
	if err := s.inflight.wait(ctx); err != nil {
		for _, srv := range servers {
			_ = srv.Close()
		}
		errs = append(errs, fmt.Errorf("api: shutdown: waiting for handlers: %w", err))
	}
	return errors.Join(errs...)
}
