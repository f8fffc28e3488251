package process

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"go.uber.org/goleak"
)

// managerEnv, set to "1", turns the test binary into the "manager" program
// of the orphan tests (see runManager).
const managerEnv = "GO_PROCESS_TEST_MANAGER"

func init() {
	if os.Getenv(managerEnv) == "1" {
		// Keep the main goroutine on the main thread (it is locked there
		// during init), so the goroutine that starts the manager's
		// children runs on another thread, which the runtime terminates
		// when that goroutine exits while locked. The main thread never is.
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if os.Getenv(managerEnv) == "1" {
		os.Exit(runManager())
	}
	if os.Getenv(reclaimManagerEnv) == "1" {
		os.Exit(runReclaimManager())
	}
	if path := os.Getenv(pidFileChildEnv); path != "" {
		os.Exit(runPIDFileChild(path))
	}
	code := m.Run()
	if code == 0 {
		code = checkGoroutineLeaks()
	}
	removeOwnCgroups()
	os.Exit(code)
}

// leakOptions are the goroutines that may outlive the tests.
func leakOptions() []goleak.Option {
	return []goleak.Option{
		// The forking goroutine of internal/proc keeps its locked thread
		// (the parent-death signal's "parent") for the life of the program.
		goleak.IgnoreAnyFunction("dappco.re/go/core/process/internal/proc.forkLoop"),
		// The subreaper's sweeper (ContainmentGroup) reaps orphans for the
		// life of the program.
		goleak.IgnoreAnyFunction("dappco.re/go/core/process/internal/proc.sweep"),
		// One goroutine waits, for the life of the program, on the epoll
		// instance every background process's supervisor shares.
		goleak.IgnoreAnyFunction("dappco.re/go/core/process/internal/watch.(*hub).loop"),
	}
}

// checkGoroutineLeaks fails the test binary if goroutines started by the
// tests are still running once they have all finished. Processes stopped in
// test cleanups take a moment to be reaped and drained, so it retries for a
// while before reporting.
func checkGoroutineLeaks() int {
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := goleak.Find(leakOptions()...)
		if err == nil {
			return 0
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "goleak: goroutines left behind by the tests: %v\n", err)
			return 1
		}
	}
}

// runManager is the manager program of TestService_ManagerKilled_…: it
// builds a Core with the process service and, from a goroutine locked to
// its own OS thread that then exits (golang/go#27505), starts a
// non-detached `sleep 300` and a Detach shell that prints a line every 20
// ms. Once that thread is gone it also runs a non-detached `sleep 300`
// through Run in the background, prints "pids <non-detached> <detached>
// <run> <detached output file>" and blocks until stdin is closed;
// then it kills its children and exits. The test kills it with SIGKILL
// instead.
func runManager() int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "manager: "+format+"\n", args...)
		return 2
	}
	c := core.New(core.WithService(Register))
	svc, ok := core.ServiceFor[*Service](c, "process")
	if !ok {
		return fail("no process service")
	}
	if r := c.ServiceStartup(context.Background(), nil); !r.OK {
		return fail("startup: %v", r.Value)
	}

	type started struct {
		attached, detached *Process
		tid                int
		err                error
	}
	result := make(chan started, 1)
	go func() {
		// Never unlocked: the thread exits together with this goroutine.
		runtime.LockOSThread()
		s := started{tid: syscall.Gettid()}
		defer func() { result <- s }()
		sleep := RunOptions{Command: "sleep", Args: []string{"300"}}
		r := svc.StartWithOptions(context.Background(), sleep)
		if !r.OK {
			s.err = fmt.Errorf("start non-detached: %v", r.Value)
			return
		}
		s.attached = r.Value.(*Process)
		// The detached child keeps writing: after the manager's death its
		// output goes on into its output file.
		writer := RunOptions{Command: "sh", Args: []string{"-c", "while :; do echo tick; sleep 0.02; done"}, Detach: true}
		r = svc.StartWithOptions(context.Background(), writer)
		if !r.OK {
			s.err = fmt.Errorf("start detached: %v", r.Value)
			return
		}
		s.detached = r.Value.(*Process)
	}()
	s := <-result
	killAll := func() {
		for _, p := range []*Process{s.attached, s.detached} {
			if p != nil {
				_ = p.Kill()
			}
		}
	}
	if s.err != nil {
		killAll()
		return fail("%v", s.err)
	}
	if s.tid == os.Getpid() {
		killAll()
		return fail("the starting goroutine ran on the main thread")
	}

	// Wait until the starting thread has been terminated.
	task := "/proc/self/task/" + strconv.Itoa(s.tid)
	deadline := time.NewTimer(30 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	for threadGone := false; !threadGone; {
		if _, err := os.Stat(task); os.IsNotExist(err) {
			threadGone = true
			continue
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			killAll()
			return fail("thread %d did not exit", s.tid)
		}
	}

	// A non-detached Run, which forks and supervises on its caller's
	// goroutine, blocks in the background.
	go svc.Run(context.Background(), "sleep", "300")
	var run *Process
	deadline.Reset(30 * time.Second)
	tick.Reset(5 * time.Millisecond)
	for {
		for _, p := range svc.List() {
			if p != s.attached && p != s.detached {
				run = p
			}
		}
		if run != nil {
			break
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			killAll()
			return fail("the Run did not start")
		}
	}
	tick.Stop()
	deadline.Stop()

	fmt.Printf("pids %d %d %d %s\n", s.attached.PID, s.detached.PID, run.PID, s.detached.Info().OutputFile)
	_, _ = io.Copy(io.Discard, os.Stdin)
	killAll()
	_ = run.Kill()
	return 0
}
