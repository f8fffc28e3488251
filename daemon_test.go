package process

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDaemon_StartAndStop(t *testing.T) {
	pidPath := filepath.Join(t.TempDir(), "test.pid")
	d := NewDaemon(DaemonOptions{PIDFile: pidPath, HealthAddr: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second})
	require.NoError(t, d.Start())
	addr := d.HealthAddr()
	require.NotEmpty(t, addr)
	status, _ := get(t, addr, "/health")
	assert.Equal(t, http.StatusOK, status)
	pid, alive := ReadPID(pidPath)
	assert.Equal(t, os.Getpid(), pid)
	assert.True(t, alive)

	require.NoError(t, d.Stop())
	_, err := os.Stat(pidPath)
	assert.True(t, os.IsNotExist(err), "PID file released")
	_, err = net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err, "health server stopped")
}

// blockingDaemon starts a daemon whose health check blocks until the
// returned release is called, and a /health request that has entered it.
func blockingDaemon(t *testing.T, opts DaemonOptions) (d *Daemon, release func(), healthDone <-chan error) {
	t.Helper()
	block := make(chan struct{})
	entered := make(chan struct{})
	var once, releaseOnce sync.Once
	opts.HealthAddr = "127.0.0.1:0"
	opts.HealthChecks = []HealthCheck{func() error {
		once.Do(func() { close(entered) })
		<-block
		return nil
	}}
	d = NewDaemon(opts)
	require.NoError(t, d.Start())
	release = func() { releaseOnce.Do(func() { close(block) }) }
	t.Cleanup(func() { release(); _ = d.Stop() })
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + d.HealthAddr() + "/health")
		if err == nil {
			_ = resp.Body.Close()
		}
		done <- err
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("/health did not enter the blocking check")
	}
	return d, release, done
}

func TestDaemon_Stop_NotReadyAtOnce_UnregistersAfterHealthShutdown(t *testing.T) {
	reg := NewRegistry(filepath.Join(t.TempDir(), "registry"))
	d, release, healthDone := blockingDaemon(t, DaemonOptions{
		ShutdownTimeout: 10 * time.Second,
		Registry:        reg,
		RegistryEntry:   DaemonEntry{Code: "test-app", Daemon: "serve"},
	})
	stopDone := make(chan error, 1)
	go func() { stopDone <- d.Stop() }()

	require.Eventually(t, func() bool { return !d.Ready() }, 10*time.Second, 5*time.Millisecond)
	_, ok := reg.Get("test-app", "serve")
	assert.True(t, ok, "still registered while the health server shuts down")
	select {
	case err := <-stopDone:
		t.Fatalf("Stop returned before the request in progress finished: %v", err)
	default:
	}

	release()
	select {
	case err := <-stopDone:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return once the check was released")
	}
	_, ok = reg.Get("test-app", "serve")
	assert.False(t, ok, "unregistered")
	require.NoError(t, <-healthDone, "the request in progress was answered")
}

func TestDaemon_Stop_ShutdownTimeoutBoundsHealthShutdown(t *testing.T) {
	d, _, _ := blockingDaemon(t, DaemonOptions{ShutdownTimeout: 200 * time.Millisecond})
	err := d.Stop()
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, d.Stop(), "stopped: a second Stop does nothing")
}

func TestDaemon_StartTwice_AlreadyRunning(t *testing.T) {
	d := NewDaemon(DaemonOptions{HealthAddr: "127.0.0.1:0"})
	require.NoError(t, d.Start())
	t.Cleanup(func() { _ = d.Stop() })
	err := d.Start()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already running")
}

func TestDaemon_RunWithoutStart_NotStarted(t *testing.T) {
	d := NewDaemon(DaemonOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := d.Run(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not started")
}

func TestDaemon_SetReady(t *testing.T) {
	d := NewDaemon(DaemonOptions{HealthAddr: "127.0.0.1:0"})
	require.NoError(t, d.Start())
	t.Cleanup(func() { _ = d.Stop() })
	status, _ := get(t, d.HealthAddr(), "/ready")
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, d.Ready())

	d.SetReady(false)
	assert.False(t, d.Ready())
	status, _ = get(t, d.HealthAddr(), "/ready")
	assert.Equal(t, http.StatusServiceUnavailable, status)
}

func TestDaemon_WithoutHealthServer_NotReadyNoAddr(t *testing.T) {
	d := NewDaemon(DaemonOptions{})
	assert.False(t, d.Ready())
	assert.Empty(t, d.HealthAddr())
	d.SetReady(true)
	assert.False(t, d.Ready())
}

func TestDaemon_DefaultShutdownTimeout_30s(t *testing.T) {
	assert.Equal(t, 30*time.Second, NewDaemon(DaemonOptions{}).opts.ShutdownTimeout)
	assert.Equal(t, time.Second, NewDaemon(DaemonOptions{ShutdownTimeout: time.Second}).opts.ShutdownTimeout)
}

func TestDaemon_Run_BlocksUntilCancelled_ThenStops(t *testing.T) {
	pidPath := filepath.Join(t.TempDir(), "run.pid")
	d := NewDaemon(DaemonOptions{HealthAddr: "127.0.0.1:0", PIDFile: pidPath})
	require.NoError(t, d.Start())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()

	// Run blocks: the daemon keeps serving.
	status, _ := get(t, d.HealthAddr(), "/health")
	assert.Equal(t, http.StatusOK, status)
	select {
	case err := <-done:
		t.Fatalf("Run returned before ctx ended: %v", err)
	default:
	}

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return once ctx ended")
	}
	_, err := os.Stat(pidPath)
	assert.True(t, os.IsNotExist(err), "Run stopped the daemon")
}

func TestDaemon_Stop_NotStarted_NoError(t *testing.T) {
	d := NewDaemon(DaemonOptions{PIDFile: filepath.Join(t.TempDir(), "x.pid"), HealthAddr: "127.0.0.1:0"})
	assert.NoError(t, d.Stop())
	assert.NoError(t, d.Stop())
}

func TestDaemon_Start_RegistersFilledInEntry(t *testing.T) {
	reg := NewRegistry(filepath.Join(t.TempDir(), "daemons"))
	wd, err := os.Getwd()
	require.NoError(t, err)
	exe, err := os.Executable()
	require.NoError(t, err)
	d := NewDaemon(DaemonOptions{
		HealthAddr:    "127.0.0.1:0",
		Registry:      reg,
		RegistryEntry: DaemonEntry{Code: "test-app", Daemon: "serve", PID: 1, Health: "ignored"},
	})
	require.NoError(t, d.Start())
	entry, ok := reg.Get("test-app", "serve")
	require.True(t, ok)
	assert.Equal(t, os.Getpid(), entry.PID)
	assert.Equal(t, d.HealthAddr(), entry.Health)
	assert.Equal(t, wd, entry.Project)
	assert.Equal(t, exe, entry.Binary)
	assert.WithinDuration(t, time.Now(), entry.Started, time.Minute)

	require.NoError(t, d.Stop())
	_, ok = reg.Get("test-app", "serve")
	assert.False(t, ok)
}

func TestDaemon_Start_WithoutHealthServer_KeepsGivenHealth(t *testing.T) {
	reg := NewRegistry(t.TempDir())
	d := NewDaemon(DaemonOptions{
		Registry:      reg,
		RegistryEntry: DaemonEntry{Code: "c", Daemon: "d", Health: "/run/sock", Project: "/p/process.yaml"},
	})
	require.NoError(t, d.Start())
	t.Cleanup(func() { _ = d.Stop() })
	entry, ok := reg.Get("c", "d")
	require.True(t, ok)
	assert.Equal(t, "/run/sock", entry.Health)
	assert.Equal(t, "/p/process.yaml", entry.Project)
}

func TestDaemon_Start_RegistryFails_UndoesHealthAndPIDFile(t *testing.T) {
	// The registry's directory is a file: no entry can be created in it
	// (a read-only directory would not stop root).
	dir := t.TempDir()
	pidPath := filepath.Join(dir, "daemon.pid")
	regDir := filepath.Join(dir, "registry")
	require.NoError(t, os.WriteFile(regDir, []byte("not a directory"), 0o644))
	d := NewDaemon(DaemonOptions{
		PIDFile: pidPath, HealthAddr: "127.0.0.1:0",
		Registry:      NewRegistry(regDir),
		RegistryEntry: DaemonEntry{Code: "broken", Daemon: "start"},
	})
	err := d.Start()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "registry")

	_, statErr := os.Stat(pidPath)
	assert.True(t, os.IsNotExist(statErr), "PID file released")
	addr := d.HealthAddr()
	require.NotEqual(t, "127.0.0.1:0", addr)
	_, dialErr := net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, dialErr, "health server stopped")
	assert.NoError(t, d.Stop())
	// Nothing is left held: the daemon starts once the registry works.
	require.NoError(t, os.Remove(regDir))
	require.NoError(t, d.Start())
	require.NoError(t, d.Stop())
}

func TestDaemon_Start_HealthFails_ReleasesPIDFile(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = busy.Close() })
	pidPath := filepath.Join(t.TempDir(), "daemon.pid")
	d := NewDaemon(DaemonOptions{PIDFile: pidPath, HealthAddr: busy.Addr().String()})
	err = d.Start()
	require.Error(t, err)
	assert.Contains(t, err.Error(), busy.Addr().String())
	_, statErr := os.Stat(pidPath)
	assert.True(t, os.IsNotExist(statErr), "PID file released")
	assert.NoError(t, d.Stop())
}

func TestDaemon_Start_PIDFileHeld_StartsNothing(t *testing.T) {
	pidPath := filepath.Join(t.TempDir(), "daemon.pid")
	owner := NewPIDFile(pidPath)
	require.NoError(t, owner.Acquire())
	t.Cleanup(func() { _ = owner.Release() })
	reg := NewRegistry(t.TempDir())
	d := NewDaemon(DaemonOptions{
		PIDFile: pidPath, HealthAddr: "127.0.0.1:0",
		Registry: reg, RegistryEntry: DaemonEntry{Code: "c", Daemon: "d"},
	})
	err := d.Start()
	require.ErrorIs(t, err, ErrAlreadyRunning)
	assert.Contains(t, err.Error(), strconv.Itoa(os.Getpid()))
	assert.Equal(t, "127.0.0.1:0", d.HealthAddr(), "the health server never started")
	_, ok := reg.Get("c", "d")
	assert.False(t, ok)
	pid, alive := ReadPID(pidPath)
	assert.Equal(t, os.Getpid(), pid)
	assert.True(t, alive, "the owner's file is untouched")
	assert.NoError(t, d.Stop())
}

// A daemon that registered under the same Code and Daemon after this one
// keeps its entry when this one stops.
func TestDaemon_Stop_LeavesAnEntryAnotherDaemonReplacedItWith(t *testing.T) {
	reg := NewRegistry(t.TempDir())
	opts := DaemonOptions{Registry: reg, RegistryEntry: DaemonEntry{Code: "c", Daemon: "d"}}
	first, second := NewDaemon(opts), NewDaemon(opts)
	require.NoError(t, first.Start())
	before, ok := reg.Get("c", "d")
	require.True(t, ok)
	require.Eventually(t, func() bool { return time.Now().After(before.Started) }, time.Second, time.Millisecond)
	require.NoError(t, second.Start())
	t.Cleanup(func() { _ = second.Stop() })
	replaced, ok := reg.Get("c", "d")
	require.True(t, ok)
	require.False(t, replaced.Started.Equal(before.Started), "precondition: the second entry replaced the first")

	require.NoError(t, first.Stop())
	got, ok := reg.Get("c", "d")
	require.True(t, ok, "the second daemon's entry stays")
	assert.True(t, got.Started.Equal(replaced.Started))
	require.NoError(t, second.Stop())
	_, ok = reg.Get("c", "d")
	assert.False(t, ok)
}
