package process

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 20, item 13: a probe that answered in time passes, even when the
// manager was paused and sees its deadline late.

// probePause is how long a check pauses this test program: longer than
// the probes' Timeout, so that only the pause can make a deadline pass.
// The Timeout is a whole second, so that a check slowed by a busy machine
// still answers before its deadline.
const (
	probePauseTimeout = time.Second
	probePause        = "1.5"
	// probePauseChecks is how many checks a test waits for; each failed
	// about half the time before the fix.
	probePauseChecks = 6
)

// scriptPauseParent counts the check in $CHECKS, has this test program
// stopped (SIGSTOP) by the check itself, for probePause seconds, and
// passes at once. A helper in a session of its own resumes the program.
const scriptPauseParent = `echo x >> "$CHECKS"
setsid sh -c 'sleep ` + probePause + `; kill -CONT $0' $PPID >/dev/null 2>&1 &
kill -STOP $PPID
exit 0`

func TestUnitProbe_ManagerPausedDuringACheckThatPassed_NotATimeout(t *testing.T) {
	checks := filepath.Join(t.TempDir(), "checks")
	assertPausedChecksPass(t, checks, &Probe{Exec: []string{"sh", "-c", scriptPauseParent}})
}

func TestUnitProbe_ManagerPausedDuringAnHTTPCheckThatWasAnswered_NotATimeout(t *testing.T) {
	checks := filepath.Join(t.TempDir(), "checks")
	addr := startPausingServer(t, checks)
	assertPausedChecksPass(t, checks, &Probe{HTTP: "http://" + addr + "/"})
}

// assertPausedChecksPass runs a unit whose Alive probe, failing at its
// first failure, pauses this program at every check (each counted in the
// file checks), and asserts that none of probePauseChecks checks failed.
func assertPausedChecksPass(t *testing.T, checks string, alive *Probe) {
	t.Helper()
	_, svc, rec := newUnitService(t, nil)
	opts := sleeper()
	opts.Env = []string{"CHECKS=" + checks}
	alive.Period, alive.Timeout, alive.Failures = 10*time.Millisecond, probePauseTimeout, 1
	require.NoError(t, svc.Up(context.Background(), UnitSpec{Name: "paused", Process: opts, Alive: alive}))
	require.Eventually(t, func() bool {
		data, _ := os.ReadFile(checks)
		info, _ := svc.Unit("paused")
		// The last check may be under way; a unit no longer ready ends the wait.
		return bytes.Count(data, []byte("x")) >= probePauseChecks+1 || info.State != UnitReady
	}, 60*time.Second, 10*time.Millisecond, "%d checks ran", probePauseChecks)

	info, err := svc.Unit("paused")
	require.NoError(t, err)
	assert.Equal(t, UnitReady, info.State, "no check was failed: %+v", info)
	assert.Zero(t, info.Restarts)
	assert.Equal(t, []UnitState{UnitWaiting, UnitStarting, UnitReady}, rec.states("paused"))
}

// pausingServerEnv, set to a file's path, turns the test binary into an
// HTTP server that counts each request in that file, stops its parent
// (SIGSTOP) for probePause seconds and answers 200 at once.
const pausingServerEnv = "GO_PROCESS_TEST_PAUSING_SERVER"

func init() {
	if checks := os.Getenv(pausingServerEnv); checks != "" {
		os.Exit(runPausingServer(checks))
	}
}

// startPausingServer starts the pausing server as a child of this test
// program and returns its address; the child is killed by PID when the
// test ends, and ends by itself when its standard input does (this
// program has died). A parent-death signal would not do: it follows the
// thread that forked, which the runtime may end first (golang/go#27505),
// and a server gone would leave this program stopped.
func startPausingServer(t *testing.T, checks string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), pausingServerEnv+"="+checks)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "the server's address")
	return strings.TrimSpace(line)
}

func runPausingServer(checks string) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(l.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	parent := os.Getppid()
	pause, _ := time.ParseDuration(probePause + "s")
	err = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f, err := os.OpenFile(checks, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err == nil {
			_, _ = f.WriteString("x\n")
			_ = f.Close()
		}
		_ = syscall.Kill(parent, syscall.SIGSTOP)
		time.AfterFunc(pause, func() { _ = syscall.Kill(parent, syscall.SIGCONT) })
		w.WriteHeader(http.StatusOK)
	}))
	fmt.Fprintln(os.Stderr, err)
	return 1
}
