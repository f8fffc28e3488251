package api

import (
	"net/http"
	"testing"
	"time"

	"dappco.re/go/core/process"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sleeper is a unit whose process sleeps.
func sleeper(name string) process.UnitSpec {
	return process.UnitSpec{Name: name, Process: process.RunOptions{Command: "sleep", Args: []string{"60"}, GracePeriod: time.Second}}
}

func TestServer_Units_ListAndGet(t *testing.T) {
	f := newSrvFixture(t, Options{})
	assert.Equal(t, "[]\n", string(f.do("GET", "/v1/units", nil).body), "no units: []")

	f.up(false, sleeper("db"), sleeper("web"))
	list := decodeAnswer[[]process.UnitInfo](t, f.do("GET", "/v1/units", nil), http.StatusOK)
	require.Len(t, list, 2)
	assert.Equal(t, "db", list[0].Name)
	assert.Equal(t, "web", list[1].Name)
	assert.Equal(t, process.UnitReady, list[0].State)

	info := decodeAnswer[process.UnitInfo](t, f.do("GET", "/v1/units/web", nil), http.StatusOK)
	assert.Equal(t, "web", info.Name)
	assert.Equal(t, process.UnitReady, info.State)
	assert.NotZero(t, info.PID)

	for _, tc := range []struct{ method, path string }{
		{"GET", "/v1/units/nope"},
		{"POST", "/v1/units/nope/start"},
		{"POST", "/v1/units/nope/stop"},
		{"POST", "/v1/units/nope/restart"},
		{"GET", "/v1/units/nope/logs"},
	} {
		a := f.do(tc.method, tc.path, nil)
		require.Equal(t, http.StatusNotFound, a.status, "%s %s: %s", tc.method, tc.path, a.body)
		assert.Contains(t, a.errorMessage(t), `unit "nope" not found`, tc.path)
	}
}

func TestServer_Units_StopStartRestart(t *testing.T) {
	f := newSrvFixture(t, Options{})
	db := sleeper("db")
	web := sleeper("web")
	web.After = []process.Dependency{{Unit: "db"}}
	f.up(false, db, web)

	a := f.do("POST", "/v1/units/web/start", nil)
	require.Equal(t, http.StatusConflict, a.status, "body: %s", a.body)
	assert.Contains(t, a.errorMessage(t), `start unit "web": already up (ready)`)

	// Stopping db stops its dependent web first.
	info := decodeAnswer[process.UnitInfo](t, f.do("POST", "/v1/units/db/stop", nil), http.StatusOK)
	assert.Equal(t, process.UnitStopped, info.State)
	web1 := decodeAnswer[process.UnitInfo](t, f.do("GET", "/v1/units/web", nil), http.StatusOK)
	assert.Equal(t, process.UnitStopped, web1.State)

	info = decodeAnswer[process.UnitInfo](t, f.do("POST", "/v1/units/db/start", nil), http.StatusOK)
	assert.Equal(t, process.UnitReady, info.State)
	assert.NotZero(t, info.PID)

	before := decodeAnswer[process.UnitInfo](t, f.do("GET", "/v1/units/db", nil), http.StatusOK)
	info = decodeAnswer[process.UnitInfo](t, f.do("POST", "/v1/units/db/restart", nil), http.StatusOK)
	assert.Equal(t, process.UnitReady, info.State)
	assert.NotEqual(t, before.ProcessID, info.ProcessID, "a new process")

	a = f.do("POST", "/v1/units/db/restart", `{"now": true}`)
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, a.errorMessage(t), `unknown field "now"`)
}

func TestServer_Units_StartSucceededAndFailed(t *testing.T) {
	f := newSrvFixture(t, Options{})
	once := process.UnitSpec{Name: "once", Process: process.RunOptions{Command: "true"}}
	f.up(false, once)
	require.Eventually(t, func() bool {
		info, err := f.svc.Unit("once")
		return err == nil && info.State == process.UnitSucceeded
	}, 30*time.Second, 10*time.Millisecond)

	first, err := f.svc.Unit("once")
	require.NoError(t, err)
	info := decodeAnswer[process.UnitInfo](t, f.do("POST", "/v1/units/once/start", nil), http.StatusOK)
	assert.Contains(t, []process.UnitState{process.UnitReady, process.UnitSucceeded}, info.State)
	assert.NotEqual(t, first.ProcessID, info.ProcessID, "it ran again")

	broken := process.UnitSpec{Name: "broken", Process: process.RunOptions{Command: "sh", Args: []string{"-c", "exit 3"}}}
	f.up(false, broken)
	require.Eventually(t, func() bool {
		info, err := f.svc.Unit("broken")
		return err == nil && info.State == process.UnitFailed
	}, 30*time.Second, 10*time.Millisecond)
	failed, err := f.svc.Unit("broken")
	require.NoError(t, err)
	info = decodeAnswer[process.UnitInfo](t, f.do("POST", "/v1/units/broken/start", nil), http.StatusOK)
	assert.NotEqual(t, failed.ProcessID, info.ProcessID, "it ran again")
}

func TestServer_Down_StopsEveryUnitThenCallsOnDown(t *testing.T) {
	downed := make(chan struct{})
	f := newSrvFixture(t, Options{OnDown: func() { close(downed) }})
	f.up(false, sleeper("a"), sleeper("b"))

	a := f.do("POST", "/v1/down", nil)
	require.Equal(t, http.StatusNoContent, a.status, "body: %s", a.body)
	for _, u := range f.svc.Units() {
		assert.Equal(t, process.UnitStopped, u.State, u.Name)
	}
	select {
	case <-downed:
	case <-time.After(10 * time.Second):
		t.Fatal("OnDown was not called")
	}
}
