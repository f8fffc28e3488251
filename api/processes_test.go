package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServer_StartProcess_ListGetOutput(t *testing.T) {
	f := newSrvFixture(t, Options{})

	a := f.do("POST", "/v1/processes", `{"command": "sh", "args": ["-c", "echo hello; echo world"]}`)
	info := decodeAnswer[process.ProcessInfo](t, a, http.StatusCreated)
	t.Cleanup(func() { _ = f.svc.Kill(info.ID) })
	assert.Equal(t, "/v1/processes/"+info.ID, a.header.Get("Location"))
	assert.Equal(t, "sh", info.Command)
	assert.NotZero(t, info.PID)
	f.waitEnded(info.ID)

	got := decodeAnswer[process.ProcessInfo](t, f.do("GET", "/v1/processes/"+info.ID, nil), http.StatusOK)
	assert.Equal(t, info.ID, got.ID)
	assert.Equal(t, process.StatusExited, got.Status)
	assert.Equal(t, 0, got.ExitCode)

	out := decodeAnswer[map[string]string](t, f.do("GET", "/v1/processes/"+info.ID+"/output", nil), http.StatusOK)
	assert.Equal(t, "hello\nworld\n", out["output"])

	list := decodeAnswer[[]process.ProcessInfo](t, f.do("GET", "/v1/processes", nil), http.StatusOK)
	require.Len(t, list, 1)
	assert.Equal(t, info.ID, list[0].ID)

	running := decodeAnswer[[]process.ProcessInfo](t, f.do("GET", "/v1/processes?running=1", nil), http.StatusOK)
	assert.Empty(t, running)
	assert.Equal(t, "[]\n", string(f.do("GET", "/v1/processes?running=1", nil).body), "an empty list is [], not null")

	a = f.do("GET", "/v1/processes?running=maybe", nil)
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, a.errorMessage(t), `"running"`)
}

func TestServer_StartProcess_DurationAndNumbers(t *testing.T) {
	f := newSrvFixture(t, Options{})
	info := f.startProcess(`{"command": "sleep", "args": ["60"], "timeout": "50ms", "grace": "1s", "outputLimit": 4096}`)
	f.waitEnded(info.ID)
	got := decodeAnswer[process.ProcessInfo](t, f.do("GET", "/v1/processes/"+info.ID, nil), http.StatusOK)
	assert.Equal(t, process.StatusKilled, got.Status, "stopped by its timeout")
}

func TestServer_StartProcess_Refusals_400WithTheActionsMessage(t *testing.T) {
	f := newSrvFixture(t, Options{})
	cases := []struct {
		name, body, want string
	}{
		{"unknown field", `{"command": "true", "arg": ["x"]}`, `process.start: unknown option "arg" (did you mean "args"?)`},
		{"bare number duration", `{"command": "true", "timeout": 5}`, `process.start: option "timeout": a bare number is ambiguous`},
		{"missing command", `{"args": ["x"]}`, `process.start: option "command": required`},
		{"wrong type", `{"command": "true", "args": "x"}`, `process.start: option "args"`},
		{"fraction", `{"command": "true", "rows": 1.5}`, `process.start: option "rows": want an integer`},
		{"not an object", `["true"]`, `api: request body: want a JSON object`},
		{"null", `null`, `api: request body: want a JSON object, got null`},
		{"trailing data", `{"command": "true"} {}`, `api: request body: want one JSON object`},
		{"empty body", ``, `process.start: option "command": required`},
		{"missing binary", `{"command": "/nonexistent/binary"}`, `/nonexistent/binary`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := f.do("POST", "/v1/processes", tc.body)
			require.Equal(t, http.StatusBadRequest, a.status, "body: %s", a.body)
			assert.Contains(t, a.errorMessage(t), tc.want)
		})
	}
	assert.Empty(t, f.svc.List(), "nothing was started")
}

func TestServer_GetProcess_Unknown_404(t *testing.T) {
	f := newSrvFixture(t, Options{})
	for _, path := range []string{"/v1/processes/nope", "/v1/processes/nope/output"} {
		a := f.do("GET", path, nil)
		require.Equal(t, http.StatusNotFound, a.status, path)
		assert.Contains(t, a.errorMessage(t), `"nope"`)
		assert.Contains(t, a.errorMessage(t), "process not found")
	}
	a := f.do("POST", "/v1/processes/nope/kill", nil)
	require.Equal(t, http.StatusNotFound, a.status)
	assert.Contains(t, a.errorMessage(t), "process.kill")
}

func TestServer_KillProcess_204ThenNotRunning409(t *testing.T) {
	f := newSrvFixture(t, Options{})
	info := f.startProcess(`{"command": "sleep", "args": ["60"]}`)

	a := f.do("POST", "/v1/processes/"+info.ID+"/kill", nil)
	require.Equal(t, http.StatusNoContent, a.status, "body: %s", a.body)
	f.waitEnded(info.ID)
	got := decodeAnswer[process.ProcessInfo](t, f.do("GET", "/v1/processes/"+info.ID, nil), http.StatusOK)
	assert.Equal(t, process.StatusKilled, got.Status)

	a = f.do("POST", "/v1/processes/"+info.ID+"/kill", nil)
	require.Equal(t, http.StatusConflict, a.status, "body: %s", a.body)
	assert.Contains(t, a.errorMessage(t), "process.kill")
	assert.Contains(t, a.errorMessage(t), "not running")

	a = f.do("POST", "/v1/processes/"+info.ID+"/kill", `{"force": true}`)
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, a.errorMessage(t), `unknown field "force"`)
}

func TestServer_SignalProcess(t *testing.T) {
	f := newSrvFixture(t, Options{})
	info := f.startProcess(`{"command": "sleep", "args": ["60"]}`)

	a := f.do("POST", "/v1/processes/"+info.ID+"/signal", `{"sig": "TERM"}`)
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, a.errorMessage(t), `unknown field "sig"`)

	a = f.do("POST", "/v1/processes/"+info.ID+"/signal", `{}`)
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, a.errorMessage(t), `process.signal: option "signal": required`)

	a = f.do("POST", "/v1/processes/"+info.ID+"/signal", `{"signal": "NOPE"}`)
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, a.errorMessage(t), `process.signal: option "signal"`)

	a = f.do("POST", "/v1/processes/"+info.ID+"/signal", `{"signal": "TERM"}`)
	require.Equal(t, http.StatusNoContent, a.status, "body: %s", a.body)
	f.waitEnded(info.ID)
	got := decodeAnswer[process.ProcessInfo](t, f.do("GET", "/v1/processes/"+info.ID, nil), http.StatusOK)
	assert.Equal(t, "SIGTERM", got.Signal)

	a = f.do("POST", "/v1/processes/"+info.ID+"/signal", `{"signal": 15}`)
	require.Equal(t, http.StatusConflict, a.status, "body: %s", a.body)
}

func TestServer_InputProcess(t *testing.T) {
	f := newSrvFixture(t, Options{})
	info := f.startProcess(`{"command": "cat"}`)

	a := f.do("POST", "/v1/processes/"+info.ID+"/input", `{"text": "x"}`)
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, a.errorMessage(t), `unknown field "text"`)

	a = f.do("POST", "/v1/processes/"+info.ID+"/input", `{"input": "hello\n"}`)
	require.Equal(t, http.StatusNoContent, a.status, "body: %s", a.body)
	a = f.do("POST", "/v1/processes/"+info.ID+"/input", `{"input": "bye\n", "close": true}`)
	require.Equal(t, http.StatusNoContent, a.status, "body: %s", a.body)
	f.waitEnded(info.ID)

	out := decodeAnswer[map[string]string](t, f.do("GET", "/v1/processes/"+info.ID+"/output", nil), http.StatusOK)
	assert.Equal(t, "hello\nbye\n", out["output"])

	a = f.do("POST", "/v1/processes/"+info.ID+"/input", `{"input": "late\n"}`)
	assert.Contains(t, []int{http.StatusConflict, http.StatusBadRequest}, a.status, "body: %s", a.body)
	assert.Contains(t, a.errorMessage(t), "process.input")
}

func TestServer_ShuttingDown_503(t *testing.T) {
	f := newSrvFixture(t, Options{})
	// OnShutdown of the process service begins: starts are refused.
	f.c.ServiceShutdown(t.Context())
	a := f.do("POST", "/v1/processes", `{"command": "true"}`)
	require.Equal(t, http.StatusServiceUnavailable, a.status, "body: %s", a.body)
	assert.Contains(t, a.errorMessage(t), "shutting down")
}

func TestServer_UnknownRoutes_JSON404And405(t *testing.T) {
	f := newSrvFixture(t, Options{})
	a := f.do("GET", "/v1/nothing", nil)
	require.Equal(t, http.StatusNotFound, a.status)
	assert.Equal(t, "application/json", a.header.Get("Content-Type"))
	assert.Contains(t, a.errorMessage(t), "/v1/nothing")

	a = f.do("DELETE", "/v1/units", nil)
	require.Equal(t, http.StatusMethodNotAllowed, a.status)
	assert.Contains(t, a.header.Get("Allow"), "GET")
	assert.Contains(t, a.errorMessage(t), "Method Not Allowed")
}

func TestServer_Dashboard_ServedAtRoot(t *testing.T) {
	f := newSrvFixture(t, Options{})
	a := f.do("GET", "/", nil)
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.header.Get("Content-Type"), "text/html")
	assert.Equal(t, http.StatusNotFound, f.do("GET", "/favicon.ico", nil).status)
}

func TestServer_ServiceNotStarted_503(t *testing.T) {
	c := core.New(core.WithService(process.Register)) // OnStartup has not run: no actions
	svc, ok := core.ServiceFor[*process.Service](c, "process")
	require.True(t, ok)
	t.Cleanup(func() { c.ServiceShutdown(context.Background()) })
	s := New(c, svc, Options{})
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })

	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), "GET", "/v1/units", nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Contains(t, rec.Body.String(), "process.units")
}
