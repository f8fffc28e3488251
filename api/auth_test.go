package api

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"dappco.re/go/core/process"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const srvTestToken = "s3cret-token-for-tests"

// serveTCP serves s on a loopback TCP port and returns its base URL.
func serveTCP(t *testing.T, s *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- s.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, s.Shutdown(ctx))
		require.ErrorIs(t, <-served, http.ErrServerClosed)
	})
	return "http://" + l.Addr().String()
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// jsonBearer is bearer with a JSON body's Content-Type.
func jsonBearer(token string) http.Header {
	h := bearer(token)
	h.Set("Content-Type", "application/json")
	return h
}

func TestServer_TCP_NeedsTheToken(t *testing.T) {
	c, svc := newSrvCore(t)
	base := serveTCP(t, New(c, svc, Options{Token: srvTestToken}))
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)

	a := srvDo(t, client, base, "GET", "/v1/units", nil, nil)
	require.Equal(t, http.StatusUnauthorized, a.status)
	assert.Contains(t, a.errorMessage(t), "token is required")
	assert.Contains(t, a.header.Get("WWW-Authenticate"), "Bearer")

	for _, h := range []http.Header{
		bearer("wrong"),
		bearer(srvTestToken + "x"),
		bearer(""),
		{"Authorization": {"Basic " + srvTestToken}},
		{"Cookie": {tokenCookieName + "=nope"}},
	} {
		a = srvDo(t, client, base, "GET", "/v1/units", nil, h)
		require.Equal(t, http.StatusUnauthorized, a.status, "%v", h)
	}
	for _, path := range []string{"/", "/v1/events", "/v1/nothing"} {
		assert.Equal(t, http.StatusUnauthorized, srvDo(t, client, base, "GET", path, nil, nil).status, path)
	}

	a = srvDo(t, client, base, "GET", "/v1/units", nil, bearer(srvTestToken))
	require.Equal(t, http.StatusOK, a.status, "body: %s", a.body)
	a = srvDo(t, client, base, "GET", "/v1/units", nil, http.Header{"Cookie": {tokenCookieName + "=" + srvTestToken}})
	require.Equal(t, http.StatusOK, a.status, "body: %s", a.body)
}

func TestServer_TCP_CookieFlow(t *testing.T) {
	c, svc := newSrvCore(t)
	base := serveTCP(t, New(c, svc, Options{Token: srvTestToken}))

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(noRedirect.CloseIdleConnections)
	a := srvDo(t, noRedirect, base, "GET", "/?token=wrong", nil, nil)
	require.Equal(t, http.StatusUnauthorized, a.status)
	assert.Empty(t, a.header.Values("Set-Cookie"))

	a = srvDo(t, noRedirect, base, "GET", "/?token="+srvTestToken, nil, nil)
	require.Equal(t, http.StatusSeeOther, a.status)
	assert.Equal(t, "/", a.header.Get("Location"))
	cookies, err := http.ParseSetCookie(a.header.Get("Set-Cookie"))
	require.NoError(t, err)
	assert.Equal(t, tokenCookieName, cookies.Name)
	assert.Equal(t, srvTestToken, cookies.Value)
	assert.True(t, cookies.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, cookies.SameSite)
	assert.Equal(t, "/", cookies.Path)

	// A browser: follows the redirect with the cookie, gets the page, and
	// then the API.
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{Jar: jar}
	t.Cleanup(browser.CloseIdleConnections)
	a = srvDo(t, browser, base, "GET", "/?token="+srvTestToken, nil, nil)
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.header.Get("Content-Type"), "text/html")
	a = srvDo(t, browser, base, "GET", "/v1/processes", nil, nil)
	require.Equal(t, http.StatusOK, a.status, "body: %s", a.body)
}

func TestServer_TCP_StartForbiddenUnlessAllowed(t *testing.T) {
	c, svc := newSrvCore(t)
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)

	base := serveTCP(t, New(c, svc, Options{Token: srvTestToken}))
	a := srvDo(t, client, base, "POST", "/v1/processes", `{"command": "true"}`, jsonBearer(srvTestToken))
	require.Equal(t, http.StatusForbidden, a.status)
	assert.Contains(t, a.errorMessage(t), "not allowed")
	assert.Empty(t, svc.List(), "nothing started")
	// Other writes are allowed over TCP with the token.
	a = srvDo(t, client, base, "POST", "/v1/down", nil, bearer(srvTestToken))
	require.Equal(t, http.StatusNoContent, a.status)

	c2, svc2 := newSrvCore(t)
	allowed := serveTCP(t, New(c2, svc2, Options{Token: srvTestToken, AllowStart: true}))
	a = srvDo(t, client, allowed, "POST", "/v1/processes", `{"command": "true"}`, jsonBearer(srvTestToken))
	info := decodeAnswer[process.ProcessInfo](t, a, http.StatusCreated)
	t.Cleanup(func() { _ = svc2.Kill(info.ID) })
}

func TestServer_Unix_NeedsNoToken(t *testing.T) {
	f := newSrvFixture(t, Options{Token: srvTestToken})
	require.Equal(t, http.StatusOK, f.do("GET", "/v1/units", nil).status)
	f.startProcess(`{"command": "true"}`) // start is allowed on the socket
}

func TestServer_Serve_TCPWithoutToken_FailsAtOnce(t *testing.T) {
	c, svc := newSrvCore(t)
	s := New(c, svc, Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	err = s.Serve(l)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Options.Token")
	_, err = l.Accept()
	assert.ErrorIs(t, err, net.ErrClosed, "Serve closed the listener")
}

func TestServer_Serve_AfterShutdown(t *testing.T) {
	c, svc := newSrvCore(t)
	s := New(c, svc, Options{})
	require.NoError(t, s.Shutdown(t.Context()))
	l, err := ListenUnix(srvSocketPath(t))
	require.NoError(t, err)
	assert.ErrorIs(t, s.Serve(l), http.ErrServerClosed)
}
