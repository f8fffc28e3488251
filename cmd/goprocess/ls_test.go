package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
)

// registryEntry returns the registry entry of the manager of the config
// file at the absolute path file, if it is listed.
func registryEntry(t *testing.T, file string) (process.DaemonEntry, bool) {
	t.Helper()
	entries, err := daemonRegistry().List()
	require.NoError(t, err)
	for _, e := range entries {
		if e.Code == registryCode && e.Project == file {
			return e, true
		}
	}
	return process.DaemonEntry{}, false
}

// lsRow returns the row of `goprocess ls` that names file, or "".
func lsRow(t *testing.T, file string) string {
	t.Helper()
	out, errOut, code := runCLI(t, "ls")
	require.Equal(t, 0, code, errOut)
	require.True(t, strings.HasPrefix(out, "PROJECT"), "header: %q", out)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, file+" ") {
			return line
		}
	}
	return ""
}

func TestUp_RegistersItself_LsListsIt_UnregistersOnExit(t *testing.T) {
	file, err := filepath.Abs(writeFile(t, t.TempDir(), "process.yaml", stackYAML))
	require.NoError(t, err)
	u := startUp(t, file)
	u.waitStates(t, allUp)

	entry, ok := registryEntry(t, file)
	require.True(t, ok, "registered")
	assert.Equal(t, u.cmd.Process.Pid, entry.PID)
	assert.Equal(t, u.socket, entry.Health)
	assert.Equal(t, projectName(file), entry.Daemon)
	assert.Equal(t, registryCode, entry.Code)

	row := lsRow(t, file)
	require.NotEmpty(t, row, "ls lists the manager")
	fields := strings.Fields(row)
	require.Len(t, fields, 5, row)
	assert.Equal(t, []string{file, u.socket, strconv.Itoa(u.cmd.Process.Pid)}, fields[:3])
	assert.Regexp(t, regexp.MustCompile(`^[0-9.]+(ms|s|m[0-9]+s)$`), fields[3], "uptime")
	assert.Equal(t, "2/3", fields[4], "web and worker are up; setup has succeeded")

	require.NoError(t, u.cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, u.waitExit(t), u.stderr.String())
	_, ok = registryEntry(t, file)
	assert.False(t, ok, "unregistered on exit")
	assert.Empty(t, lsRow(t, file))
	_, err = os.Stat(filepath.Join(os.Getenv(registryDirEnv), registryCode+"-"+projectName(file)+".json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// A manager killed without a chance to unregister disappears from ls by
// itself, and its entry's file is pruned.
func TestUp_Killed_EntryDisappearsFromLs(t *testing.T) {
	file, err := filepath.Abs(writeFile(t, t.TempDir(), "process.yaml", stackYAML))
	require.NoError(t, err)
	u := startUp(t, file)
	u.waitStates(t, allUp)
	require.NotEmpty(t, lsRow(t, file))
	path := filepath.Join(os.Getenv(registryDirEnv), registryCode+"-"+projectName(file)+".json")
	_, err = os.Stat(path)
	require.NoError(t, err)

	require.NoError(t, u.cmd.Process.Signal(syscall.SIGKILL))
	u.waitExit(t)
	assert.Empty(t, lsRow(t, file))
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist, "the dead manager's entry is pruned")
}

func TestLs_NoManagers_HeaderOnly(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(registryDirEnv, dir)
	var out, errOut strings.Builder
	require.Equal(t, exitOK, run([]string{"ls"}, &out, &errOut), errOut.String())
	assert.Equal(t, "PROJECT  SOCKET  PID  UPTIME  UNITS\n", out.String())
	assert.Equal(t, exitUsage, run([]string{"ls", "extra"}, &out, &errOut))
}

func TestLs_ManagerThatDoesNotAnswer_UnitsUnknown(t *testing.T) {
	var out strings.Builder
	entries := []process.DaemonEntry{
		{Code: "other", Daemon: "x", PID: 1, Project: "/elsewhere"},
		{Code: registryCode, Daemon: "p", PID: os.Getpid(), Project: "/p/process.yaml", Health: filepath.Join(t.TempDir(), "none.sock"), Started: time.Now().Add(-90 * time.Second)},
	}
	writeManagers(context.Background(), &out, entries, time.Now())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2, "only goprocess entries: %q", out.String())
	assert.Equal(t, []string{"/p/process.yaml", entries[1].Health, strconv.Itoa(os.Getpid()), "1m30s", "?"}, strings.Fields(lines[1]))
}

func TestProjectName_DirectoryNameAndPathHash(t *testing.T) {
	a, b := projectName("/x/app/process.yaml"), projectName("/y/app/process.yaml")
	assert.True(t, strings.HasPrefix(a, "app-"), a)
	assert.NotEqual(t, a, b, "two projects in directories of the same name")
	assert.Equal(t, a, projectName("/x/app/process.yaml"))
	assert.Len(t, strings.TrimPrefix(a, "app-"), 8)
}

// probe asks base+path (a TCP base URL, or "unix:"+socket) without a
// token and returns the status and body.
func probe(t *testing.T, target, path string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	url := target + path
	if sock, ok := strings.CutPrefix(target, "unix:"); ok {
		client.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}
		url = "http://goprocess" + path
	}
	defer client.CloseIdleConnections()
	resp, err := client.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// The manager answers /health and /ready on its socket and on its TCP
// listener without a token; /ready once Up has returned.
func TestUp_HealthAndReady_WithoutToken(t *testing.T) {
	file := writeFile(t, t.TempDir(), "process.yaml", stackYAML)
	u := startUp(t, file, "--listen", "127.0.0.1:0")
	u.waitStates(t, allUp)
	m := regexp.MustCompile(`open (http://127\.0\.0\.1:[0-9]+)/`).FindStringSubmatch(u.stderr.String())
	require.NotNil(t, m, "dashboard address in:\n%s", u.stderr.String())
	tcp := m[1]

	for _, target := range []string{"unix:" + u.socket, tcp} {
		status, body := probe(t, target, "/health")
		assert.Equal(t, http.StatusOK, status, target)
		assert.Equal(t, "ok\n", body, target)
		require.Eventually(t, func() bool {
			status, _ := probe(t, target, "/ready")
			return status == http.StatusOK
		}, wait, 20*time.Millisecond, "%s: ready once Up has returned", target)
		_, body = probe(t, target, "/ready")
		assert.Equal(t, "ready\n", body)
	}
	status, _ := probe(t, tcp, "/v1/units")
	assert.Equal(t, http.StatusUnauthorized, status, "everything else still needs the token")
}
