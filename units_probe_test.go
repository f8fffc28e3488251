package process

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastProbe returns p with short timings for tests.
func fastProbe(p Probe) *Probe {
	p.Period = 20 * time.Millisecond
	p.Timeout = time.Second
	return &p
}

// awaitProbeMiss waits until the unit, still starting, reports a failed
// Ready check, so the test knows the probe ran and held the unit back.
func awaitProbeMiss(t *testing.T, svc *Service, name string) {
	t.Helper()
	require.Eventually(t, func() bool {
		info, err := svc.Unit(name)
		return err == nil && info.State == UnitStarting && info.Error != ""
	}, 10*time.Second, 2*time.Millisecond)
	info, _ := svc.Unit(name)
	assert.Contains(t, info.Error, "ready probe")
}

func TestUnitProbe_Exec_ReadyOnceTheCommandSucceeds(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	flag := filepath.Join(t.TempDir(), "ready")
	up := upAsync(svc, context.Background(), UnitSpec{
		Name:    "app",
		Process: sleeper(),
		Ready:   fastProbe(Probe{Exec: []string{"test", "-e", flag}}),
	})
	awaitProbeMiss(t, svc, "app")
	require.NoError(t, os.WriteFile(flag, nil, 0o600))
	require.NoError(t, awaitErr(t, up, 10*time.Second, "Up"))
	info, err := svc.Unit("app")
	require.NoError(t, err)
	assert.Equal(t, UnitReady, info.State)
	assert.Empty(t, info.Error)
}

func TestUnitProbe_HTTP_ReadyOn2xxAgainstALocalServer(t *testing.T) {
	var healthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	_, svc, _ := newUnitService(t, nil)
	up := upAsync(svc, context.Background(), UnitSpec{
		Name:    "web",
		Process: sleeper(),
		Ready:   fastProbe(Probe{HTTP: srv.URL + "/healthz"}),
	})
	awaitProbeMiss(t, svc, "web")
	info, _ := svc.Unit("web")
	assert.Contains(t, info.Error, "503")
	healthy.Store(true)
	require.NoError(t, awaitErr(t, up, 10*time.Second, "Up"))
}

func TestUnitProbe_HTTP_3xxPassesAnd4xxFails(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/moved", http.RedirectHandler("/nowhere", http.StatusFound))
	mux.HandleFunc("/missing", http.NotFound)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	check := func(path string) error {
		c, err := compileProbe(&Probe{HTTP: srv.URL + path}, true)
		require.NoError(t, err)
		return c.check(context.Background())
	}
	assert.NoError(t, check("/moved"), "a redirect is an answer, not followed")
	err := check("/missing")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "404")
}

func TestUnitProbe_TCP_ReadyWhenAConnectionOpens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, svc, _ := newUnitService(t, nil)
	require.NoError(t, svc.Up(context.Background(), UnitSpec{
		Name:    "db",
		Process: sleeper(),
		Ready:   fastProbe(Probe{TCP: ln.Addr().String()}),
	}))

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := closed.Addr().String()
	closed.Close()
	c, err := compileProbe(&Probe{TCP: addr}, true)
	require.NoError(t, err)
	assert.Error(t, c.check(context.Background()), "nothing listens on %s", addr)
}

func TestUnitProbe_Output_ReadyAtTheMatchingLine(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	up := upAsync(svc, context.Background(), UnitSpec{
		Name:    "db",
		Process: shell(`echo booting; read go; echo "listening on port 5432"; exec sleep 300`),
		Ready:   &Probe{Output: `listening on port \d+`},
	})
	info := awaitUnit(t, svc, "db", UnitStarting, 10*time.Second)
	require.Eventually(t, func() bool {
		info, _ = svc.Unit("db")
		return info.ProcessID != ""
	}, 10*time.Second, 2*time.Millisecond)
	p, err := svc.Get(info.ProcessID)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return p.Output() == "booting\n" }, 10*time.Second, 2*time.Millisecond)
	info, _ = svc.Unit("db")
	assert.Equal(t, UnitStarting, info.State, "not ready before the line")
	require.NoError(t, p.SendInput("go\n"))
	require.NoError(t, awaitErr(t, up, 10*time.Second, "Up"))
}

// A failing Alive probe stops the process gracefully and counts as a
// failure: the unit restarts under on-failure.
func TestUnitProbe_AliveHTTPFails_StopsGracefullyAndRestarts(t *testing.T) {
	var failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	_, svc, rec := newUnitService(t, nil)
	require.NoError(t, svc.Up(context.Background(), UnitSpec{
		Name:    "api",
		Process: sleeper(),
		Restart: RestartOnFailure,
		Backoff: Backoff{Initial: time.Millisecond, Jitter: -1},
		Alive:   fastProbe(Probe{HTTP: srv.URL, Failures: 2}),
	}))
	first := unitProcess(t, svc, "api")
	failing.Store(true)
	require.Eventually(t, func() bool {
		info, _ := svc.Unit("api")
		return info.Restarts == 1 && info.ProcessID != first.ID
	}, 10*time.Second, 2*time.Millisecond)
	waitDone(t, first, 10*time.Second)
	old := first.Info()
	assert.Equal(t, StatusKilled, old.Status)
	assert.Equal(t, "SIGTERM", old.Signal, "stopped gracefully")
	backoff := rec.index("api", UnitBackoff, 0)
	require.GreaterOrEqual(t, backoff, 0)
	assert.Contains(t, rec.all()[backoff].Error, "alive probe")
	failing.Store(false)
	awaitUnit(t, svc, "api", UnitReady, 10*time.Second)
}

// An Alive TCP probe whose server goes away fails the unit once it may not
// restart any more.
func TestUnitProbe_AliveTCPFails_UnitFailsAfterMaxRestarts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	_, svc, _ := newUnitService(t, nil)
	require.NoError(t, svc.Up(context.Background(), UnitSpec{
		Name:        "worker",
		Process:     sleeper(),
		Restart:     RestartAlways,
		Backoff:     Backoff{Initial: time.Millisecond, Jitter: -1},
		MaxRestarts: 1,
		Alive:       fastProbe(Probe{TCP: addr, Failures: 1}),
	}))
	ln.Close()
	info := awaitUnit(t, svc, "worker", UnitFailed, 20*time.Second)
	assert.Equal(t, 1, info.Restarts)
	assert.Contains(t, info.Error, "alive probe")
	assert.Contains(t, info.Error, "tcp probe")
}
