package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process/api"
)

// wait bounds every wait of the end-to-end tests.
const wait = 60 * time.Second

// binary is the goprocess command built for this test run.
var (
	buildOnce sync.Once
	binary    string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	// Managers started by the tests register here, never in ~/.core.
	registry, err := os.MkdirTemp("", "goprocess-registry")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv(registryDirEnv, registry)
	code := m.Run()
	os.RemoveAll(registry)
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// goprocessBinary builds cmd/goprocess once for the whole run.
func goprocessBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "goprocess-bin")
		if buildErr != nil {
			return
		}
		binary = filepath.Join(buildDir, "goprocess")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binary
}

// syncBuffer is a bytes.Buffer safe for a child's writes and a test's
// reads at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// upProc is a `goprocess up` running as a child of the test.
type upProc struct {
	cmd    *exec.Cmd
	socket string
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{}
	code   int
	units  *unitPIDs
}

// shortDir makes a directory whose paths fit in a socket address.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gpe")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// childEnv is the test's environment without a token.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOPROCESS_TOKEN=") && !strings.HasPrefix(kv, "NO_COLOR=") {
			env = append(env, kv)
		}
	}
	return env
}

// startUp starts `goprocess up -f file --socket <temp> args...`. Cleanup
// kills it, and every unit process seen, by PID, whatever the test's
// outcome.
func startUp(t *testing.T, file string, args ...string) *upProc {
	t.Helper()
	u := &upProc{socket: filepath.Join(shortDir(t), "gp.sock"), done: make(chan struct{}), units: &unitPIDs{}}
	u.cmd = exec.Command(goprocessBinary(t), append([]string{"up", "-f", file, "--socket", u.socket}, args...)...)
	u.cmd.Env = childEnv()
	u.cmd.Stdout, u.cmd.Stderr = &u.stdout, &u.stderr
	require.NoError(t, u.cmd.Start())
	go func() {
		_ = u.cmd.Wait()
		u.code = u.cmd.ProcessState.ExitCode()
		close(u.done)
	}()
	pid := u.cmd.Process.Pid
	t.Cleanup(func() {
		select {
		case <-u.done:
		default:
			_ = syscall.Kill(pid, syscall.SIGKILL)
			<-u.done
		}
		u.units.killAll()
		if t.Failed() {
			t.Logf("goprocess up stdout:\n%s\nstderr:\n%s", u.stdout.String(), u.stderr.String())
		}
	})
	return u
}

// client is an API client of this up.
func (u *upProc) client() *api.Client { return api.NewClient(u.socket) }

// waitReady waits until every named unit is in one of the wanted states
// (ready, by default succeeded for one-shots as given), recording their
// PIDs.
func (u *upProc) waitStates(t *testing.T, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-u.done:
			t.Fatalf("goprocess up exited (%d) before its units were up:\n%s", u.code, u.stderr.String())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		units, err := u.client().Units(ctx)
		cancel()
		if err == nil {
			ok := true
			last = ""
			for _, info := range units {
				u.units.record(info.PID)
				last += fmt.Sprintf("%s=%s ", info.Name, info.State)
				if w, in := want[info.Name]; in && string(info.State) != w {
					ok = false
				}
			}
			if ok && len(units) > 0 {
				return
			}
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("units did not reach %v; last: %s", want, last)
}

// waitExit waits for up to exit and returns its status.
func (u *upProc) waitExit(t *testing.T) int {
	t.Helper()
	select {
	case <-u.done:
		return u.code
	case <-time.After(wait):
		t.Fatalf("goprocess up did not exit; stderr:\n%s", u.stderr.String())
		return -1
	}
}

// runCLI runs a goprocess client command and returns its output and exit
// status.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, goprocessBinary(t), args...)
	cmd.Env = childEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("goprocess %v: %v", args, err)
		}
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// unitPIDs records the unit processes a test saw, with their command
// lines, so that cleanup kills them by PID and liveness checks do not
// mistake a reused PID for them.
type unitPIDs struct {
	mu   sync.Mutex
	pids map[int]string
}

func (p *unitPIDs) record(pid int) {
	if pid <= 1 {
		return
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pids == nil {
		p.pids = map[int]string{}
	}
	if _, ok := p.pids[pid]; !ok {
		p.pids[pid] = string(cmdline)
	}
}

// alive returns the recorded PIDs that still run the same command (not
// zombies).
func (p *unitPIDs) alive() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for pid, cmdline := range p.pids {
		if pidAlive(pid, cmdline) {
			out = append(out, pid)
		}
	}
	return out
}

func (p *unitPIDs) killAll() {
	for _, pid := range p.alive() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// pidAlive reports whether pid is a live (not zombie) process whose
// command line is cmdline.
func pidAlive(pid int, cmdline string) bool {
	got, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || string(got) != cmdline {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}
