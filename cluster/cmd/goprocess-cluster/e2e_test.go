package main

import (
	"bufio"
	"bytes"
	"fmt"
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
)

// binary is the goprocess-cluster built for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "goprocess-cluster-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "goprocess-cluster")
	build := exec.Command("go", "build", "-race", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// within bounds every wait: the machine is shared.
const within = 60 * time.Second

// result is what a run of the binary gave.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the binary with args against url, in dir.
func cli(t *testing.T, dir, url string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, append(args, "--nats", url)...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{code, out.String(), errOut.String()}
}

// startDev runs `dev` in dir and returns its NATS URL; it is stopped with
// SIGTERM (and killed by PID if need be) when the test ends.
func startDev(t *testing.T, dir string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(binary, "dev", "--listen", "127.0.0.1:0", "--node", "dev")
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "NATS listening on "); ok {
				urls <- strings.Fields(rest)[0]
			}
		}
	}()
	select {
	case url := <-urls:
		return url, cmd
	case <-time.After(within):
		t.Fatal("dev never printed its URL")
		return "", nil
	}
}

// psLine returns ps's line for unit, or "".
func psLine(t *testing.T, dir, url, unit string) []string {
	r := cli(t, dir, url, "ps")
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == unit {
			return f
		}
	}
	return nil
}

// awaitPS waits until unit is in state in ps and returns its PID.
func awaitPS(t *testing.T, dir, url, unit, state string, kill *[]int) int {
	t.Helper()
	var f []string
	require.Eventually(t, func() bool {
		f = psLine(t, dir, url, unit)
		return len(f) == 4 && f[1] == state
	}, within, 50*time.Millisecond, "ps never showed %s %s; last %v", unit, state, &f)
	pid, err := strconv.Atoi(f[2])
	require.NoError(t, err)
	*kill = append(*kill, pid)
	return pid
}

func TestCLI_Dev_Apply_PS_Restart_Logs_Down(t *testing.T) {
	dir := t.TempDir()
	var pids []int
	t.Cleanup(func() {
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	url, dev := startDev(t, dir)
	var r result
	require.Eventually(t, func() bool {
		r = cli(t, dir, url, "nodes")
		return r.code == exitOK && regexp.MustCompile(`(?m)^dev\s+alive\b`).MatchString(r.stdout)
	}, within, 50*time.Millisecond, "nodes never showed dev alive: %+v", &r)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cluster.yaml"), []byte(`units:
  web:
    command: sh
    args: [-c, 'echo web says hello; exec sleep 300']
  gpu:
    command: sleep
    args: ["300"]
    labels: {gpu: "yes"}
`), 0o600))

	r = cli(t, dir, url, "apply", "-f", "cluster.yaml")
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, `cluster.yaml:5: unit "gpu": no live node can take it (wanted: label gpu=yes)`)
	assert.Contains(t, r.stderr, "nothing written")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "cluster.yaml"), []byte(`units:
  web:
    command: sh
    args: [-c, 'echo web says hello; exec sleep 300']
    nodes: [dev]
`), 0o600))
	r = cli(t, dir, url, "apply", "-f", "cluster.yaml")
	require.Equal(t, exitOK, r.code, "%+v", r)
	assert.Equal(t, "dev: web\n", r.stdout)
	first := awaitPS(t, dir, url, "dev/web", "ready", &pids)

	r = cli(t, dir, url, "restart", "dev/web")
	require.Equal(t, exitOK, r.code, "%+v", r)
	second := awaitPS(t, dir, url, "dev/web", "ready", &pids)
	assert.NotEqual(t, first, second)

	require.Eventually(t, func() bool {
		r = cli(t, dir, url, "logs", "dev/web")
		return r.code == exitOK && strings.Count(r.stdout, "web says hello\n") == 2
	}, within, 50*time.Millisecond, "logs: %+v", &r)

	for _, bad := range [][]string{{"restart", "nowhere/web"}, {"stop", "dev/nope"}, {"logs", "dev/nope"}} {
		r = cli(t, dir, url, bad...)
		assert.Equal(t, exitFailed, r.code, "%v: %+v", bad, r)
	}
	assert.Contains(t, cli(t, dir, url, "restart", "nowhere/web").stderr, `unknown node "nowhere"`)
	assert.Contains(t, cli(t, dir, url, "stop", "dev/nope").stderr, `unknown unit "nope"`)

	r = cli(t, dir, url, "stop", "dev/web")
	require.Equal(t, exitOK, r.code, "%+v", r)
	assert.Contains(t, r.stdout, "dev/web\tstopped")
	r = cli(t, dir, url, "start", "dev/web")
	require.Equal(t, exitOK, r.code, "%+v", r)
	third := awaitPS(t, dir, url, "dev/web", "ready", &pids)

	r = cli(t, dir, url, "down")
	require.Equal(t, exitOK, r.code, "%+v", r)
	require.Eventually(t, func() bool { return psLine(t, dir, url, "dev/web") == nil }, within, 50*time.Millisecond)
	for _, pid := range []int{first, second, third} {
		assert.NoError(t, waitGone(pid), "pid %d", pid)
	}

	require.NoError(t, dev.Process.Signal(syscall.SIGTERM))
	require.NoError(t, dev.Wait(), "dev exits 0 on SIGTERM")
	_, err := os.Stat(filepath.Join(dir, ".goprocess-cluster", "jetstream"))
	assert.NoError(t, err, "dev keeps JetStream's data under the working directory")
}

func TestCLI_Apply_BadFile_FileAndLine_NothingWritten(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cluster.yaml"), []byte("units:\n  web:\n    args: [x]\n"), 0o600))
	r := cli(t, dir, "nats://127.0.0.1:1", "apply", "-f", "cluster.yaml")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "cluster.yaml:3: units.web: command is missing")
	assert.Contains(t, r.stderr, "nothing written")
}

// waitGone waits until pid is no longer a live process.
func waitGone(pid int) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(data), ") Z ") {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("still alive after %v", within)
}
