package api

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dappco.re/go/core/process"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// upIdle brings up a unit "idle" (sleep 600) on svc.
func upIdle(t *testing.T, svc *process.Service) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, svc.Up(ctx, process.UnitSpec{Name: "idle",
		Process: process.RunOptions{Command: "sleep", Args: []string{"600"}}}))
}

// withCookie adds the token cookie (what a browser sends) to h.
func withCookie(h http.Header) http.Header {
	h.Set("Cookie", tokenCookieName+"="+srvTestToken)
	return h
}

func TestServer_TCP_CrossOriginWrite_Forbidden(t *testing.T) {
	c, svc := newSrvCore(t)
	upIdle(t, svc)
	base := serveTCP(t, New(c, svc, Options{Token: srvTestToken}))
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	const otherPort = "http://127.0.0.1:1" // another origin of the same host

	for name, h := range map[string]http.Header{
		"another port's page":     {"Origin": {otherPort}, "Sec-Fetch-Site": {"same-site"}},
		"another port, no fetch":  {"Origin": {otherPort}},
		"another site":            {"Sec-Fetch-Site": {"cross-site"}},
		"same site, other origin": {"Sec-Fetch-Site": {"same-site"}},
		"an opaque origin":        {"Origin": {"null"}},
		"another scheme":          {"Origin": {"https://" + strings.TrimPrefix(base, "http://")}},
	} {
		for _, path := range []string{"/v1/units/idle/stop", "/v1/units/idle/restart", "/v1/down"} {
			a := srvDo(t, client, base, "POST", path, nil, withCookie(h.Clone()))
			require.Equal(t, http.StatusForbidden, a.status, "%s: %s: %s", name, path, a.body)
			assert.Contains(t, a.errorMessage(t), "another origin", name)
		}
		a := srvDo(t, client, base, "DELETE", "/v1/units/idle", nil, withCookie(h.Clone()))
		assert.Equal(t, http.StatusForbidden, a.status, "%s: DELETE", name)
	}
	info, err := svc.Unit("idle")
	require.NoError(t, err)
	assert.Equal(t, process.UnitReady, info.State, "no refused request stopped the unit")
	assert.Zero(t, info.Restarts)

	// Reading is allowed from anywhere that has the token (a browser does
	// not let the other page read the answer).
	a := srvDo(t, client, base, "GET", "/v1/units", nil, withCookie(http.Header{"Origin": {otherPort}, "Sec-Fetch-Site": {"same-site"}}))
	assert.Equal(t, http.StatusOK, a.status)

	// The dashboard's own requests, and a script's (no Origin), go through.
	for name, h := range map[string]http.Header{
		"the dashboard": {"Origin": {base}, "Sec-Fetch-Site": {"same-origin"}},
		"typed address": {"Sec-Fetch-Site": {"none"}},
		"a script":      {},
	} {
		a := srvDo(t, client, base, "POST", "/v1/units/idle/restart", nil, withCookie(h))
		require.Equal(t, http.StatusOK, a.status, "%s: %s", name, a.body)
	}
}

func TestServer_TCP_BodyNotJSON_Refused415(t *testing.T) {
	c, svc := newSrvCore(t)
	base := serveTCP(t, New(c, svc, Options{Token: srvTestToken, AllowStart: true}))
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	marker := filepath.Join(t.TempDir(), "ran")
	body := `{"command": "touch", "args": ["` + marker + `"]}`

	for name, h := range map[string]http.Header{
		"text/plain":       {"Content-Type": {"text/plain;charset=UTF-8"}},
		"a form":           {"Content-Type": {"application/x-www-form-urlencoded"}},
		"multipart":        {"Content-Type": {"multipart/form-data; boundary=x"}},
		"no content type":  {},
		"bad content type": {"Content-Type": {"application/json; ="}},
	} {
		h = withCookie(h)
		a := srvDo(t, client, base, "POST", "/v1/processes", body, h)
		require.Equal(t, http.StatusUnsupportedMediaType, a.status, "%s: %s", name, a.body)
		assert.Contains(t, a.errorMessage(t), "Content-Type: application/json", name)
	}
	// An empty body that names another type is refused too; one that
	// names none is not (the dashboard's buttons send none).
	a := srvDo(t, client, base, "POST", "/v1/down", "", withCookie(http.Header{"Content-Type": {"text/plain"}}))
	assert.Equal(t, http.StatusUnsupportedMediaType, a.status, "%s", a.body)
	assert.Empty(t, svc.List(), "nothing started")
	assert.NoFileExists(t, marker)

	a = srvDo(t, client, base, "POST", "/v1/processes", body, withCookie(http.Header{"Content-Type": {"application/json; charset=utf-8"}}))
	info := decodeAnswer[process.ProcessInfo](t, a, http.StatusCreated)
	t.Cleanup(func() { _ = svc.Kill(info.ID) })
	a = srvDo(t, client, base, "POST", "/v1/down", "", withCookie(http.Header{}))
	assert.Equal(t, http.StatusNoContent, a.status, "%s", a.body)
}

func TestServer_TCP_HostNotTheListener_Refused421(t *testing.T) {
	c, svc := newSrvCore(t)
	base := serveTCP(t, New(c, svc, Options{Token: srvTestToken, AllowedHosts: []string{"Box.LAN"}}))
	port := base[strings.LastIndexByte(base, ':')+1:]
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)

	do := func(method, path, host string) srvAnswer {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, base+path, nil)
		require.NoError(t, err)
		req.Host = host
		req.Header.Set("Authorization", "Bearer "+srvTestToken)
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var a srvAnswer
		a.status, a.header = resp.StatusCode, resp.Header
		a.body = readAll(t, resp)
		return a
	}
	for _, host := range []string{"evil.example:" + port, "evil.example", "127.0.0.2:" + port, "localhost.evil.example:" + port, "[::1]:" + port} {
		for _, path := range []string{"/v1/units", "/", "/?token=" + srvTestToken} {
			a := do("GET", path, host)
			require.Equal(t, http.StatusMisdirectedRequest, a.status, "%s %s: %s", host, path, a.body)
			assert.Contains(t, a.errorMessage(t), "is not this server's", host)
			assert.Empty(t, a.header.Values("Set-Cookie"), host)
		}
		assert.Equal(t, http.StatusMisdirectedRequest, do("POST", "/v1/down", host).status, host)
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "box.lan:" + port, "box.lan.:8080"} {
		a := do("GET", "/v1/units", host)
		assert.Equal(t, http.StatusOK, a.status, "%s: %s", host, a.body)
	}
}

func TestServer_Unix_KeepsNoDoors(t *testing.T) {
	// The socket is not reachable from a browser: curl -d's form type and
	// any Host or Origin are accepted there.
	f := newSrvFixture(t, Options{})
	req, err := http.NewRequestWithContext(t.Context(), "POST", "http://evil.example/v1/processes", strings.NewReader(`{"command": "true"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	resp, err := f.client.Do(req)
	require.NoError(t, err)
	body := readAll(t, resp)
	resp.Body.Close()
	info := decodeAnswer[process.ProcessInfo](t, srvAnswer{status: resp.StatusCode, body: body}, http.StatusCreated)
	t.Cleanup(func() { _ = f.svc.Kill(info.ID) })
}

func TestServer_Serve_ShortToken_FailsAtOnce(t *testing.T) {
	for _, token := range []string{"", "abc", strings.Repeat("x", MinTokenBytes-1)} {
		c, svc := newSrvCore(t)
		l, err := listenLoopback()
		require.NoError(t, err)
		err = New(c, svc, Options{Token: token}).Serve(l)
		require.Error(t, err, "token %q", token)
		assert.Contains(t, err.Error(), "at least 16")
	}
	assert.NoError(t, CheckToken(strings.Repeat("x", MinTokenBytes)))
}

func TestListenUnix_WorldWritableDirWithoutSticky_Refused(t *testing.T) {
	dir := filepath.Dir(srvSocketPath(t))
	require.NoError(t, os.Chmod(dir, 0o777))
	path := filepath.Join(dir, "api.sock")
	_, err := ListenUnix(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), dir)
	assert.Contains(t, err.Error(), "everyone may write to it")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing made there")

	// With the sticky bit (as /tmp has), nobody can remove another's file.
	require.NoError(t, os.Chmod(dir, 0o777|os.ModeSticky))
	l, err := ListenUnix(path)
	require.NoError(t, err)
	assert.NoError(t, l.Close())
	// Group-writable is the owner's business.
	require.NoError(t, os.Chmod(dir, 0o770))
	l, err = ListenUnix(path)
	require.NoError(t, err)
	assert.NoError(t, l.Close())
}
