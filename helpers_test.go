package process

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/require"
)

// Shared test helpers. Every process a test starts is cleaned up by PID.

// newTestService returns a started Core with the process service and the
// service itself. Cleanup shuts the Core down, which stops every process
// still running.
func newTestService(t testing.TB, opts Options) (*core.Core, *Service) {
	t.Helper()
	return newPreparedTestService(t, opts, func(*Service) {})
}

// newPreparedTestService is newTestService with prepare called on the
// service before the Core starts it.
func newPreparedTestService(t testing.TB, opts Options, prepare func(*Service)) (*core.Core, *Service) {
	t.Helper()
	if opts.OutputDir == "" {
		opts.OutputDir = t.TempDir() // detached processes' output files
	}
	c := core.New(core.WithService(NewService(opts)))
	svc, ok := core.ServiceFor[*Service](c, "process")
	require.True(t, ok, "process service registered")
	prepare(svc)
	r := c.ServiceStartup(context.Background(), nil)
	require.True(t, r.OK, "startup: %v", r.Value)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c.ServiceShutdown(ctx)
	})
	return c, svc
}

// killOnCleanup SIGKILLs pid when the test ends, unless it has gone.
func killOnCleanup(t testing.TB, pid int) {
	t.Helper()
	if pid <= 1 {
		return
	}
	t.Cleanup(func() {
		if pidAlive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// killGroupOnCleanup SIGKILLs, one PID at a time, every process in group
// pgid when the test ends (grandchildren a test leaves behind on purpose).
func killGroupOnCleanup(t testing.TB, pgid int) {
	t.Helper()
	t.Cleanup(func() {
		for _, pid := range groupMembers(pgid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// procStat returns the state letter and process group of pid from
// /proc/<pid>/stat; ok is false when pid does not exist.
func procStat(pid int) (state byte, pgrp int, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	s := string(data)
	end := strings.LastIndexByte(s, ')')
	if end < 0 || end+2 >= len(s) {
		return 0, 0, false
	}
	fields := strings.Fields(s[end+2:])
	if len(fields) < 3 {
		return 0, 0, false
	}
	pgrp, _ = strconv.Atoi(fields[2])
	return fields[0][0], pgrp, true
}

// pidAlive reports whether pid exists and is not a zombie.
func pidAlive(pid int) bool {
	state, _, ok := procStat(pid)
	return ok && state != 'Z' && state != 'X'
}

// groupMembers lists the live (non-zombie) processes whose process group
// is pgid.
func groupMembers(pgid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if state, pgrp, ok := procStat(pid); ok && pgrp == pgid && state != 'Z' && state != 'X' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitGone waits until pid no longer exists (or is a zombie).
func waitGone(t testing.TB, pid int, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool { return !pidAlive(pid) }, within, 5*time.Millisecond,
		"pid %d still alive", pid)
}

// recorder collects the broadcast messages of a Core, in order.
type recorder struct {
	mu   sync.Mutex
	msgs []core.Message
}

// newRecorder registers a recorder with c.
func newRecorder(c *core.Core) *recorder {
	r := &recorder{}
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		r.mu.Lock()
		r.msgs = append(r.msgs, msg)
		r.mu.Unlock()
		return core.Result{OK: true}
	})
	return r
}

// messages returns a copy of what has been recorded so far.
func (r *recorder) messages() []core.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]core.Message(nil), r.msgs...)
}

// forID returns the recorded process messages of process id, in order.
func (r *recorder) forID(id string) []core.Message {
	var out []core.Message
	for _, m := range r.messages() {
		switch e := m.(type) {
		case ActionProcessStarted:
			if e.ID == id {
				out = append(out, m)
			}
		case ActionProcessOutput:
			if e.ID == id {
				out = append(out, m)
			}
		case ActionProcessKilled:
			if e.ID == id {
				out = append(out, m)
			}
		case ActionProcessExited:
			if e.ID == id {
				out = append(out, m)
			}
		}
	}
	return out
}

// lines returns the output lines recorded for process id.
func (r *recorder) lines(id string) []string {
	var out []string
	for _, m := range r.forID(id) {
		if e, ok := m.(ActionProcessOutput); ok {
			out = append(out, e.Line)
		}
	}
	return out
}

// startProcess starts opts through svc, requires success and registers
// PID cleanup.
func startProcess(t testing.TB, svc *Service, opts RunOptions) *Process {
	t.Helper()
	r := svc.StartWithOptions(context.Background(), opts)
	require.True(t, r.OK, "start %s: %v", opts.Command, r.Value)
	p := r.Value.(*Process)
	killOnCleanup(t, p.PID)
	return p
}

// waitDone waits for p to end.
func waitDone(t testing.TB, p *Process, within time.Duration) {
	t.Helper()
	select {
	case <-p.Done():
	case <-time.After(within):
		t.Fatalf("process %s (pid %d) did not end within %v", p.ID, p.PID, within)
	}
}

// awaitResult waits for a Result sent by a goroutine, failing the test with
// msg if none arrives within 30 seconds.
func awaitResult(t testing.TB, result <-chan core.Result, msg string) core.Result {
	t.Helper()
	select {
	case r := <-result:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal(msg)
		return core.Result{}
	}
}
