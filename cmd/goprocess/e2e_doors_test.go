package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process/api"
)

func TestUp_SecondSignal_KillsWhatIsLeftAndExitsOne(t *testing.T) {
	file := writeFile(t, t.TempDir(), "process.yaml", `units:
  stubborn:
    command: sh
    args: ["-c", "trap '' TERM; echo up; while :; do sleep 1; done"]
    grace_period: 10m
    ready: {output: up}
`)
	u := startUp(t, file)
	u.waitStates(t, map[string]string{"stubborn": "ready"})
	pid := unitPID(t, u, "stubborn")

	require.NoError(t, u.cmd.Process.Signal(syscall.SIGTERM))
	require.Eventually(t, func() bool { return strings.Contains(u.stderr.String(), "stopping every unit") }, wait, 20*time.Millisecond)
	// A signal that arrives with the first (one sent to the whole group)
	// is not a second one: up counts one only forceAfter after the first
	// began its shutdown, which was before it said so.
	seen := time.Now()
	require.Eventually(t, func() bool { return time.Since(seen) > 3*forceAfter }, wait, 20*time.Millisecond)
	require.NoError(t, u.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 1, u.waitExit(t), u.stderr.String())
	assert.Contains(t, u.stderr.String(), "forcing: killing every process")
	assert.Empty(t, u.units.alive(), "the stubborn unit %d is gone", pid)
}

func TestUp_StuckUnit_UpAndPsSayWhy(t *testing.T) {
	file := writeFile(t, t.TempDir(), "process.yaml", `units:
  db:
    command: sleep
    args: ["600"]
    ready: {exec: ["sh", "-c", "echo db not up >&2; exit 1"], period: 100ms}
`)
	u := startUp(t, file)
	const why = "ready probe: exec probe sh: exit status 1: db not up"
	require.Eventually(t, func() bool {
		return strings.Contains(u.stderr.String(), "db → starting: not ready yet: "+why+"\n")
	}, wait, 20*time.Millisecond, "up says why db is not ready")
	assert.Equal(t, 1, strings.Count(u.stderr.String(), why), "once per change:\n%s", u.stderr.String())

	out, errOut, code := runCLI(t, "ps", "--socket", u.socket)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	assert.Regexp(t, `^db\s+starting\s+0\s+\d+\s+\S+\s+\S+\s+`+regexp.QuoteMeta(why)+`$`, lines[1])

	_, errOut, code = runCLI(t, "down", "--socket", u.socket)
	require.Equal(t, 0, code, errOut)
	u.waitExit(t)
}

func TestUp_Listen_RefusesABarePortAndAShortToken(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "process.yaml", "units:\n  marker:\n    command: touch\n    args: [MARKER]\n")
	short := writeFile(t, dir, "token", "abc\n")
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"bare port":                   {[]string{"--listen", ":0"}, "--listen :0: name the host: 127.0.0.1:0 for this machine only, or 0.0.0.0:0 for every interface"},
		"no port":                     {[]string{"--listen", "127.0.0.1"}, "--listen 127.0.0.1: want HOST:PORT"},
		"short token":                 {[]string{"--listen", "127.0.0.1:0", "--token-file", short}, "token file " + short + ": the token has 3 bytes; at least 16 are needed"},
		"allowed host without listen": {[]string{"--allowed-host", "box.lan"}, "--token-file and --allowed-host are for --listen"},
	} {
		t.Run(name, func(t *testing.T) {
			sockDir := shortDir(t)
			_, errOut, code := runCLI(t, append([]string{"up", "-f", file, "--socket", filepath.Join(sockDir, "gp.sock")}, tc.args...)...)
			assert.Equal(t, 2, code, errOut)
			assert.Contains(t, errOut, tc.want)
			assert.NoFileExists(t, filepath.Join(dir, "MARKER"), "no unit ran")
			entries, err := os.ReadDir(sockDir)
			require.NoError(t, err)
			assert.Empty(t, entries, "no socket left behind")
		})
	}
}

func TestUp_Listen_EveryInterface_WarnsAndKeepsTheHostCheck(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "process.yaml", "units:\n  a: {command: sleep, args: [\"600\"]}\n")
	const token = "a-token-of-more-than-16-bytes"
	tokenFile := writeFile(t, dir, "token", token)
	u := startUp(t, file, "--listen", "0.0.0.0:0", "--token-file", tokenFile, "--allowed-host", "box.lan")
	u.waitStates(t, map[string]string{"a": "ready"})
	assert.Regexp(t, `goprocess up: warning: --listen 0\.0\.0\.0:0: the API listens on \S+:\d+, which other machines can reach`, u.stderr.String())

	m := regexp.MustCompile(`dashboard: open (http://127\.0\.0\.1:\d+)/`).FindStringSubmatch(u.stderr.String())
	require.NotNil(t, m, u.stderr.String())
	units, err := api.NewTCPClient(m[1], token).Units(context.Background())
	require.NoError(t, err)
	assert.Len(t, units, 1)
	for host, want := range map[string]int{"box.lan": http.StatusOK, "evil.example": http.StatusMisdirectedRequest} {
		req, err := http.NewRequestWithContext(t.Context(), "GET", m[1]+"/v1/units", nil)
		require.NoError(t, err)
		req.Host = host
		req.Header.Set("Authorization", "Bearer "+token)
		req.Close = true
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, host)
	}
	_, errOut, code := runCLI(t, "down", "--socket", u.socket)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 0, u.waitExit(t))
}
