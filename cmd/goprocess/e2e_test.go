package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process/api"
)

// stackYAML is the test stack: a one-shot, a web ready when it says so,
// and a worker after it.
const stackYAML = `units:
  setup:
    command: sh
    args: ["-c", "echo migrated"]
  web:
    command: sh
    args: ["-c", "echo listening; exec sleep 600"]
    restart: on-failure
    grace_period: 2s
    ready: {output: listening}
    after: [{unit: setup, condition: succeeded}]
  worker:
    command: sleep
    args: ["600"]
    grace_period: 2s
    after: [web]
`

var allUp = map[string]string{"setup": "succeeded", "web": "ready", "worker": "ready"}

func unitPID(t *testing.T, u *upProc, name string) int {
	t.Helper()
	info, err := u.client().Unit(context.Background(), name)
	require.NoError(t, err)
	u.units.record(info.PID)
	return info.PID
}

func TestUp_ClientCommands_EndToEnd(t *testing.T) {
	file := writeFile(t, t.TempDir(), "process.yaml", stackYAML)
	u := startUp(t, file, "--listen", "127.0.0.1:0")
	u.waitStates(t, allUp)
	sock := "--socket=" + u.socket

	// ps: every unit, with the running ones' PIDs.
	out, errOut, code := runCLI(t, "ps", sock)
	require.Equal(t, 0, code, errOut)
	webPID := unitPID(t, u, "web")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, out)
	assert.Regexp(t, `^NAME\s+STATE\s+RESTARTS\s+PID\s+UPTIME\s+CPU\s+ERROR$`, lines[0])
	assert.Regexp(t, `^setup\s+succeeded\s+0\s+-\s+-\s+\S+\s+-$`, lines[1])
	assert.Regexp(t, `^web\s+ready\s+0\s+`+strconv.Itoa(webPID)+`\s+\S+\s+\S+\s+-$`, lines[2])
	assert.Regexp(t, `^worker\s+ready\s+0\s+\d+\s+`, lines[3])

	// The units' lines are printed by up, prefixed with their padded names.
	require.Eventually(t, func() bool { return strings.Contains(u.stdout.String(), "web    | listening\n") }, wait, 20*time.Millisecond)
	assert.Contains(t, u.stdout.String(), "setup  | migrated\n")
	assert.Contains(t, u.stderr.String(), "web    → ready")

	// logs
	out, errOut, code = runCLI(t, "logs", "web", sock) // flags after the name work too
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "listening\n", out)

	// restart: a new process, the old one gone.
	oldCmd, err := os.ReadFile("/proc/" + strconv.Itoa(webPID) + "/cmdline")
	require.NoError(t, err)
	out, errOut, code = runCLI(t, "restart", sock, "web")
	require.Equal(t, 0, code, errOut)
	newPID := unitPID(t, u, "web")
	assert.NotEqual(t, webPID, newPID)
	assert.Equal(t, "web: ready (pid "+strconv.Itoa(newPID)+")\n", out)
	assert.False(t, pidAlive(webPID, string(oldCmd)), "the old web process is gone once restart returns")

	// stop, then start.
	out, errOut, code = runCLI(t, "stop", sock, "web")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "web: stopped\n", out)
	info, err := u.client().Unit(context.Background(), "web")
	require.NoError(t, err)
	assert.Equal(t, "stopped", string(info.State))
	out, errOut, code = runCLI(t, "start", sock, "web")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^web: ready \(pid \d+\)\n$`, out)
	unitPID(t, u, "web")

	// Errors from the server: its message, status 1. Usage errors: 2.
	_, errOut, code = runCLI(t, "logs", sock, "nope")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `unit "nope"`)
	assert.Contains(t, errOut, "not found")
	_, _, code = runCLI(t, "restart", sock)
	assert.Equal(t, 2, code, "a missing unit name is a usage error")
	_, _, code = runCLI(t, "frobnicate")
	assert.Equal(t, 2, code)

	// The TCP listener: the dashboard's address with its token on stderr.
	m := regexp.MustCompile(`dashboard: open (http://127\.0\.0\.1:\d+)/\?token=([0-9a-f]+)`).FindStringSubmatch(u.stderr.String())
	require.NotNil(t, m, u.stderr.String())
	assert.Len(t, m[2], 64, "a token of 32 random bytes")
	assert.NotContains(t, u.stderr.String(), "warning", "a loopback listener needs no warning")
	units, err := api.NewTCPClient(m[1], m[2]).Units(context.Background())
	require.NoError(t, err)
	assert.Len(t, units, 3)
	_, err = api.NewTCPClient(m[1], "wrong").Units(context.Background())
	var apiErr *api.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 401, apiErr.Status)

	// down: every unit stops and up exits 0.
	out, errOut, code = runCLI(t, "down", sock)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "every unit stopped\n", out)
	assert.Equal(t, 0, u.waitExit(t), u.stderr.String())
	assert.Empty(t, u.units.alive(), "no unit process outlives up")
	_, err = os.Lstat(u.socket)
	assert.ErrorIs(t, err, os.ErrNotExist, "the socket is removed")
}

func TestUp_SIGTERM_DownsEveryUnitAndExitsZero(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "process.yaml", stackYAML)
	tokenFile := writeFile(t, dir, "token", "s3cret-of-16-bytes-or-more\n")
	u := startUp(t, file, "--listen", "127.0.0.1:0", "--token-file", tokenFile)
	u.waitStates(t, allUp)
	pids := []int{unitPID(t, u, "web"), unitPID(t, u, "worker")}
	for _, pid := range pids {
		_, err := os.Stat("/proc/" + strconv.Itoa(pid))
		require.NoError(t, err, "unit process %d runs", pid)
	}
	assert.Contains(t, u.stderr.String(), "?token=<your token>", "a token given is not printed")
	assert.NotContains(t, u.stderr.String(), "s3cret")

	require.NoError(t, u.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, u.waitExit(t), u.stderr.String())
	assert.Empty(t, u.units.alive(), "no unit process is alive after up has exited")
	for _, pid := range pids {
		_, err := os.Stat("/proc/" + strconv.Itoa(pid))
		assert.ErrorIs(t, err, os.ErrNotExist, "/proc/%d", pid)
	}
	assert.Contains(t, u.stderr.String(), "worker → stopped")
	assert.Less(t, strings.Index(u.stderr.String(), "worker → stopped"), strings.Index(u.stderr.String(), "web    → stopped"),
		"reverse dependency order")
}

func TestUp_FailedUnit_ExitsOne(t *testing.T) {
	file := writeFile(t, t.TempDir(), "process.yaml", `units:
  ok:
    command: sleep
    args: ["600"]
  broken:
    command: sh
    args: ["-c", "echo oops >&2; exit 3"]
`)
	u := startUp(t, file)
	u.waitStates(t, map[string]string{"ok": "ready", "broken": "failed"})
	_, errOut, code := runCLI(t, "down", "--socket", u.socket)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 1, u.waitExit(t))
	assert.Contains(t, u.stderr.String(), "broken ended failed")
	assert.Contains(t, u.stdout.String(), "broken | oops\n")
}

func TestUp_ConfigErrors_ExitTwoAndStartNothing(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"decoding": {
			yaml: "units:\n  marker:\n    command: touch\n    args: [MARKER]\n  web:\n    command: sleep\n    restart: sometimes\n",
			want: `process.yaml:7: units.web.restart: unknown policy "sometimes" (want never, on-failure or always)`,
		},
		"refused by the service": {
			yaml: "units:\n  marker:\n    command: touch\n    args: [MARKER]\n    after: [b]\n  b:\n    command: sleep\n    after: [marker]\n",
			want: `process.yaml:2: units.marker: dependency cycle`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := writeFile(t, dir, "process.yaml", tc.yaml)
			sockDir := shortDir(t)
			sock := filepath.Join(sockDir, "gp.sock")
			_, errOut, code := runCLI(t, "up", "-f", file, "--socket", sock)
			assert.Equal(t, 2, code)
			assert.Contains(t, errOut, tc.want)
			assert.Contains(t, errOut, "nothing started")
			assert.NoFileExists(t, filepath.Join(dir, "MARKER"), "no unit ran")
			entries, err := os.ReadDir(sockDir)
			require.NoError(t, err)
			assert.Empty(t, entries, "no socket left behind")
		})
	}
}

func TestUp_UsageErrors_ExitTwo(t *testing.T) {
	_, errOut, code := runCLI(t, "up", "--no-such-flag")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no-such-flag")
	_, errOut, code = runCLI(t, "up", "-f", filepath.Join(t.TempDir(), "missing.yaml"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "missing.yaml: cannot read")
	_, _, code = runCLI(t)
	assert.Equal(t, 2, code)
	_, _, code = runCLI(t, "ps", "-h")
	assert.Equal(t, 0, code)
}

func TestClients_NoServer_SayWhichSocket(t *testing.T) {
	sock := filepath.Join(shortDir(t), "none.sock")
	for _, args := range [][]string{{"ps"}, {"logs", "web"}, {"logs", "-f", "web"}, {"restart", "web"}, {"down"}} {
		_, errOut, code := runCLI(t, append(args, "--socket", sock)...)
		assert.Equal(t, 1, code, args)
		assert.Contains(t, errOut, "no goprocess server answers on "+sock, args)
	}
}

func TestUp_SecondServerOnTheSameSocket_IsRefused(t *testing.T) {
	file := writeFile(t, t.TempDir(), "process.yaml", "units:\n  a: {command: sleep, args: [\"600\"]}\n")
	u := startUp(t, file)
	u.waitStates(t, map[string]string{"a": "ready"})
	_, errOut, code := runCLI(t, "up", "-f", file, "--socket", u.socket)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, u.socket+": a server is already listening there")
	_, _, code = runCLI(t, "down", "--socket", u.socket)
	require.Equal(t, 0, code)
	assert.Equal(t, 0, u.waitExit(t))
}

func TestLogsFollow_StreamsNewLinesUntilUpExits(t *testing.T) {
	file := writeFile(t, t.TempDir(), "process.yaml", stackYAML)
	u := startUp(t, file)
	u.waitStates(t, allUp)

	var out, errOut syncBuffer
	follow := exec.Command(goprocessBinary(t), "logs", "-f", "--socket", u.socket, "web")
	follow.Env = childEnv()
	follow.Stdout, follow.Stderr = &out, &errOut
	require.NoError(t, follow.Start())
	done := make(chan struct{}) // closed once follow has been waited for
	go func() {
		_ = follow.Wait()
		close(done)
	}()
	pid := follow.Process.Pid
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			_ = syscall.Kill(pid, syscall.SIGKILL)
			<-done
		}
	})

	require.Eventually(t, func() bool { return out.String() == "listening\n" }, wait, 20*time.Millisecond, "the kept line first")
	_, stderr, code := runCLI(t, "restart", "web", "--socket", u.socket)
	require.Equal(t, 0, code, stderr)
	require.Eventually(t, func() bool { return out.String() == "listening\nlistening\n" }, wait, 20*time.Millisecond, "then the new run's line")

	_, stderr, code = runCLI(t, "down", "--socket", u.socket)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, 0, u.waitExit(t))
	select {
	case <-done:
		assert.Equal(t, 0, follow.ProcessState.ExitCode(), "logs -f ends cleanly when the server goes: %s", errOut.String())
	case <-time.After(wait):
		t.Fatal("logs -f did not end with the server")
	}
}
