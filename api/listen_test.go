package api

import (
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListenUnix_Mode0600WhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	path := srvSocketPath(t)
	l, err := ListenUnix(path)
	require.NoError(t, err)
	defer l.Close()
	st, err := os.Lstat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.ModeSocket, st.Mode().Type())
	assert.Equal(t, fs.FileMode(0o600), st.Mode().Perm())
	assert.Equal(t, "unix", l.Addr().Network())
	assert.Equal(t, path, l.Addr().String())

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "the temporary directory is gone")

	require.NoError(t, l.Close())
	_, err = os.Lstat(path)
	assert.ErrorIs(t, err, fs.ErrNotExist, "Close removes the socket")
	assert.NoError(t, l.Close(), "closing again is harmless")
}

func TestListenUnix_LongPath_StillMode0600(t *testing.T) {
	// A directory so long that the temporary one inside it could not hold
	// a socket, while path itself still can.
	base := filepath.Dir(srvSocketPath(t))
	dir := filepath.Join(base, strings.Repeat("d", 96-len(base)-1))
	require.NoError(t, os.Mkdir(dir, 0o700))
	path := filepath.Join(dir, "s.sock")
	require.Greater(t, len(dir)+len("/.gp123456789/s"), maxSocketPath)
	l, err := ListenUnix(path)
	require.NoError(t, err)
	defer l.Close()
	st, err := os.Lstat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), st.Mode().Perm())
}

func TestListenUnix_ReplacesAStaleSocket(t *testing.T) {
	path := srvSocketPath(t)
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	require.NoError(t, err)
	stale.SetUnlinkOnClose(false)
	require.NoError(t, stale.Close()) // the file stays; nobody answers
	_, err = os.Lstat(path)
	require.NoError(t, err)

	l, err := ListenUnix(path)
	require.NoError(t, err)
	defer l.Close()
	go func() {
		if conn, err := l.Accept(); err == nil {
			_ = conn.Close()
		}
	}()
	conn, err := net.Dial("unix", path)
	require.NoError(t, err, "the new listener answers")
	_ = conn.Close()
}

func TestListenUnix_RefusesALiveSocket(t *testing.T) {
	f := newSrvFixture(t, Options{})
	_, err := ListenUnix(f.sock)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already listening")
	assert.Equal(t, http.StatusOK, f.do("GET", "/v1/units", nil).status, "the live server is untouched")
}

func TestListenUnix_RefusesANonSocket(t *testing.T) {
	path := srvSocketPath(t)
	require.NoError(t, os.WriteFile(path, []byte("data"), 0o600))
	_, err := ListenUnix(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a socket")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "data", string(data), "the file is untouched")

	_, err = ListenUnix("")
	assert.Error(t, err)
	_, err = ListenUnix(filepath.Join(path+"-missing-dir", "s.sock"))
	assert.Error(t, err)
}
