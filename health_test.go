package process

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// get returns the status and body of GET http://addr+path.
func get(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + addr + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func startHealth(t *testing.T) *HealthServer {
	t.Helper()
	hs := NewHealthServer("127.0.0.1:0")
	require.NoError(t, hs.Start())
	t.Cleanup(func() { _ = hs.Stop(context.Background()) })
	return hs
}

func TestHealthServer_Endpoints_HealthAndReady(t *testing.T) {
	hs := startHealth(t)
	addr := hs.Addr()
	require.NotEqual(t, "127.0.0.1:0", addr, "Addr has the port chosen")

	status, body := get(t, addr, "/health")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok\n", body)
	status, body = get(t, addr, "/ready")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ready\n", body)

	hs.SetReady(false)
	status, body = get(t, addr, "/ready")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, "not ready\n", body)
	assert.False(t, hs.Ready())

	status, _ = get(t, addr, "/other")
	assert.Equal(t, http.StatusNotFound, status)
}

func TestHealthServer_FirstFailingCheck_Unhealthy(t *testing.T) {
	hs := NewHealthServer("127.0.0.1:0")
	var healthy atomic.Bool
	healthy.Store(true)
	var laterRan atomic.Bool
	hs.AddCheck(func() error {
		if !healthy.Load() {
			return errors.New("database gone")
		}
		return nil
	})
	hs.AddCheck(func() error {
		if !healthy.Load() {
			laterRan.Store(true)
			return errors.New("second")
		}
		return nil
	})
	require.NoError(t, hs.Start())
	t.Cleanup(func() { _ = hs.Stop(context.Background()) })

	status, _ := get(t, hs.Addr(), "/health")
	assert.Equal(t, http.StatusOK, status)

	healthy.Store(false)
	status, body := get(t, hs.Addr(), "/health")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, "unhealthy: database gone\n", body)
	assert.False(t, laterRan.Load(), "checks after the first failure do not run")
}

func TestHealthServer_Stop_BeforeStartAndTwice_NoError(t *testing.T) {
	hs := NewHealthServer("127.0.0.1:0")
	require.NoError(t, hs.Stop(context.Background()))
	require.NoError(t, hs.Start())
	hs.mu.Lock()
	l := hs.listener
	hs.mu.Unlock()
	require.NoError(t, hs.Stop(context.Background()))
	require.NoError(t, hs.Stop(context.Background()))
	// Its listener is closed. (Dialling the address could reach another
	// test's server that has been given the freed port since.)
	_, err := l.Accept()
	assert.ErrorIs(t, err, net.ErrClosed, "stopped: nothing listens")
}

func TestHealthServer_StartTwice_Error(t *testing.T) {
	hs := startHealth(t)
	err := hs.Start()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already serving")
}

func TestHealthServer_StartOnBusyAddress_ErrorNamesIt(t *testing.T) {
	hs := startHealth(t)
	err := NewHealthServer(hs.Addr()).Start()
	require.Error(t, err)
	assert.Contains(t, err.Error(), hs.Addr())
}

// The server bounds how long a client may take over its headers and keep
// an idle connection.
func TestHealthServer_HasHeaderAndIdleTimeouts(t *testing.T) {
	hs := startHealth(t)
	hs.mu.Lock()
	srv := hs.server
	hs.mu.Unlock()
	assert.Equal(t, healthReadHeaderTimeout, srv.ReadHeaderTimeout)
	assert.Equal(t, healthIdleTimeout, srv.IdleTimeout)
	assert.Positive(t, srv.ReadHeaderTimeout)
	assert.Positive(t, srv.IdleTimeout)
}

func TestHealthServer_Stop_BoundedByContext(t *testing.T) {
	hs := NewHealthServer("127.0.0.1:0")
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	hs.AddCheck(func() error {
		entered <- struct{}{}
		<-release
		return nil
	})
	require.NoError(t, hs.Start())
	defer close(release)
	conn, err := net.Dial("tcp", hs.Addr())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"))
	require.NoError(t, err)
	<-entered

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = hs.Stop(ctx)
	require.ErrorIs(t, err, context.Canceled)
	// The stuck request's connection was closed.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = bufio.NewReader(conn).ReadString('\n')
	assert.Error(t, err)
}

func TestWaitForHealth_Reachable_True(t *testing.T) {
	hs := startHealth(t)
	assert.True(t, WaitForHealth(hs.Addr(), 5_000))
}

func TestWaitForHealth_Unhealthy_FalseAfterTimeout(t *testing.T) {
	hs := NewHealthServer("127.0.0.1:0")
	hs.AddCheck(func() error { return errors.New("never") })
	require.NoError(t, hs.Start())
	t.Cleanup(func() { _ = hs.Stop(context.Background()) })
	assert.False(t, WaitForHealth(hs.Addr(), 300))
}

func TestWaitForHealth_Unreachable_False(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	assert.False(t, WaitForHealth(addr, 300))
}
