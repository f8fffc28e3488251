package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
)

// tokenCookieName is the cookie that carries the token for a browser, set by
// GET /?token=TOKEN.
const tokenCookieName = "goprocess_token"

// remoteKey marks, in a request's context, a request that came through a
// non-unix listener.
type remoteKey struct{}

// isRemote reports whether r came through a non-unix listener.
func isRemote(r *http.Request) bool {
	remote, _ := r.Context().Value(remoteKey{}).(bool)
	return remote
}

// guard asks for the token on every request but GET /health and
// GET /ready (see isProbe), handles the dashboard's
// GET /?token= cookie flow, and marks the requests it lets through as
// remote.
func (s *Server) guard(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(s.opts.Token))
	matches := func(token string) bool {
		got := sha256.Sum256([]byte(token))
		return token != "" && subtle.ConstantTimeCompare(got[:], want[:]) == 1
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isProbe(r) {
			next.ServeHTTP(w, r) // /health and /ready need no token
			return
		}
		if r.URL.Path == "/" && r.URL.Query().Has("token") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			if !matches(r.URL.Query().Get("token")) {
				respondErrorMessage(w, http.StatusUnauthorized, "api: wrong token")
				return
			}
			http.SetCookie(w, &http.Cookie{
				Name:     tokenCookieName,
				Value:    s.opts.Token,
				Path:     "/",
				HttpOnly: true,
				SameSite: http.SameSiteStrictMode,
			})
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		token, found := requestToken(r)
		if !found {
			w.Header().Set("WWW-Authenticate", `Bearer realm="goprocess"`)
			respondErrorMessage(w, http.StatusUnauthorized, "api: a token is required (Authorization: Bearer TOKEN, or the "+tokenCookieName+" cookie)")
			return
		}
		if !matches(token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="goprocess", error="invalid_token"`)
			respondErrorMessage(w, http.StatusUnauthorized, "api: wrong token")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), remoteKey{}, true)))
	})
}

// requestToken returns the bearer token of r's Authorization header, else
// the value of its token cookie.
func requestToken(r *http.Request) (string, bool) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, token, found := strings.Cut(auth, " ")
		if found && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(token), true
		}
		return "", false
	}
	if cookie, err := r.Cookie(tokenCookieName); err == nil {
		return cookie.Value, true
	}
	return "", false
}

// MinTokenBytes is the shortest token Serve accepts for a non-unix
// listener.
const MinTokenBytes = 16

// CheckToken returns an error unless token is fit to guard a TCP
// listener: at least MinTokenBytes bytes.
func CheckToken(token string) error {
	if len(token) < MinTokenBytes {
		return fmt.Errorf("the token has %d bytes; at least %d are needed", len(token), MinTokenBytes)
	}
	return nil
}
