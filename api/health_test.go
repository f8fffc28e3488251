package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// GET /health and GET /ready answer on a TCP listener without a token,
// with one word each; everything else still needs the token.
func TestServer_TCP_HealthAndReady_NeedNoToken(t *testing.T) {
	c, svc := newSrvCore(t)
	s := New(c, svc, Options{Token: srvTestToken})
	base := serveTCP(t, s)
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)

	a := srvDo(t, client, base, "GET", "/health", nil, nil)
	require.Equal(t, http.StatusOK, a.status)
	assert.Equal(t, "ok\n", string(a.body))
	assert.Equal(t, "text/plain; charset=utf-8", a.header.Get("Content-Type"))

	a = srvDo(t, client, base, "GET", "/ready", nil, nil)
	require.Equal(t, http.StatusServiceUnavailable, a.status, "not ready until SetReady(true)")
	assert.Equal(t, "not ready\n", string(a.body))

	s.SetReady(true)
	a = srvDo(t, client, base, "GET", "/ready", nil, nil)
	require.Equal(t, http.StatusOK, a.status)
	assert.Equal(t, "ready\n", string(a.body))
	a = srvDo(t, client, base, "HEAD", "/ready", nil, nil)
	assert.Equal(t, http.StatusOK, a.status)

	s.SetReady(false)
	assert.Equal(t, http.StatusServiceUnavailable, srvDo(t, client, base, "GET", "/ready", nil, nil).status)

	// Exactly these two paths and methods are exempt.
	for _, req := range []struct{ method, path string }{
		{"GET", "/health/"}, {"GET", "/healthz"}, {"GET", "/ready/x"}, {"GET", "/v1/units"},
		{"POST", "/health"}, {"POST", "/ready"}, {"GET", "/"}, {"GET", "/v1/events"},
	} {
		a := srvDo(t, client, base, req.method, req.path, nil, nil)
		assert.Equal(t, http.StatusUnauthorized, a.status, "%s %s", req.method, req.path)
	}
}

func TestServer_Unix_HealthAndReady(t *testing.T) {
	f := newSrvFixture(t, Options{})
	a := f.do("GET", "/health", nil)
	require.Equal(t, http.StatusOK, a.status)
	assert.Equal(t, "ok\n", string(a.body))
	assert.Equal(t, http.StatusServiceUnavailable, f.do("GET", "/ready", nil).status)
	f.srv.SetReady(true)
	a = f.do("GET", "/ready", nil)
	require.Equal(t, http.StatusOK, a.status)
	assert.Equal(t, "ready\n", string(a.body))
	assert.Equal(t, http.StatusMethodNotAllowed, f.do("POST", "/health", nil).status)
}
