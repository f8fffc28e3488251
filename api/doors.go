package api

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
)

// The doors of a TCP listener (docs/api.md, "Listeners and authorisation"):
// the Host header must name the listener, and a request that changes
// something must be same-origin and carry its body as JSON. A unix socket
// has none of them: no browser reaches it.

// hostCheck answers 421 to a request whose Host header names neither the
// address the connection came in on, nor localhost, nor one of
// Options.AllowedHosts: a page served from another name that resolves to
// this machine (DNS rebinding) gets nothing. Only the host name is
// compared, not the port, so that a forwarded port still works.
func (s *Server) hostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r) {
			respondErrorMessage(w, http.StatusMisdirectedRequest, fmt.Sprintf(
				"api: host %q is not this server's: use its address or localhost, or allow the name (Options.AllowedHosts, goprocess up --allowed-host)", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether r's Host header names this listener.
func (s *Server) hostAllowed(r *http.Request) bool {
	name := hostName(r.Host)
	if name == "" {
		return false
	}
	if name == "localhost" || slices.ContainsFunc(s.opts.AllowedHosts, func(h string) bool { return hostName(h) == name }) {
		return true
	}
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	tcp, isTCP := local.(*net.TCPAddr)
	ip := net.ParseIP(name)
	return isTCP && ip != nil && ip.Equal(tcp.IP)
}

// hostName is the host of a Host header (or of an allowed host), without
// its port, brackets or trailing dot, in lower case.
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), ".")
	return strings.ToLower(host)
}

// changes reports whether a request of method may change something: every
// method but GET, HEAD and OPTIONS.
func changes(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// sameOrigin answers 403 to a request that changes something and comes
// from another site or origin: its Sec-Fetch-Site must be absent,
// same-origin or none, and its Origin, when present, must be the
// request's own origin. Another port of the same host is another origin,
// though the browser sends it the token cookie.
func sameOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if changes(r.Method) {
			if err := crossOrigin(r); err != "" {
				respondErrorMessage(w, http.StatusForbidden, fmt.Sprintf("api: %s %s: refused: %s", r.Method, r.URL.Path, err))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin says why r is not same-origin, or is "".
func crossOrigin(r *http.Request) string {
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return fmt.Sprintf("a request from another origin (Sec-Fetch-Site: %s)", site)
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if !strings.EqualFold(origin, scheme+"://"+r.Host) {
		return fmt.Sprintf("a request from another origin (Origin: %s, this server: %s://%s)", origin, scheme, r.Host)
	}
	return ""
}

// jsonBody answers 415 to a request that changes something and carries a
// body, or names a Content-Type, other than application/json: a page of
// another origin can send text/plain or a form without asking first, but
// not JSON.
func jsonBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if changes(r.Method) {
			if err := notJSON(r); err != "" {
				respondErrorMessage(w, http.StatusUnsupportedMediaType, fmt.Sprintf("api: %s %s: a request body must be Content-Type: application/json (%s)", r.Method, r.URL.Path, err))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// notJSON says why r's body is not declared JSON, or is "".
func notJSON(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		if r.ContentLength != 0 {
			return "the request has a body and no Content-Type"
		}
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Sprintf("cannot read Content-Type %q: %v", ct, err)
	}
	if mt != "application/json" {
		return fmt.Sprintf("got %s", mt)
	}
	return ""
}
