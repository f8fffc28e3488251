package proc

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync"
	"syscall"
)

// Start starts the program at path with argv and attr and returns it with
// a pidfd. With dieWithParent set the kernel kills the child with SIGKILL
// when this program dies, however it dies.
//
// Linux delivers the parent-death signal when the thread that forked the
// child exits, not the process (golang/go#27505), so such children are
// forked from a small pool of OS threads that are locked and never exit,
// as many as GOMAXPROCS (at most maxForkers), which fork in parallel. A
// start waiting for one of them is abandoned, with ctx's error, when ctx
// ends.
func Start(ctx context.Context, path string, argv []string, attr *syscall.ProcAttr, dieWithParent bool) (Child, error) {
	if !dieWithParent {
		return forkExec(path, argv, attr, false)
	}
	var c Child
	var err error
	if qerr := onForkingThread(ctx, func() { c, err = forkExec(path, argv, attr, true) }); qerr != nil {
		return Child{}, qerr
	}
	return c, err
}

// StartHere is Start for a caller that has locked its goroutine to its OS
// thread (runtime.LockOSThread) and keeps it locked until the child has
// been reaped: the child is forked from that thread, which therefore lives
// at least as long as the child, without a hand-off to the forking thread.
func StartHere(path string, argv []string, attr *syscall.ProcAttr, dieWithParent bool) (Child, error) {
	return forkExec(path, argv, attr, dieWithParent)
}

// errNoPidfd reports a kernel that gave no pidfd for a new child.
var errNoPidfd = errors.New("the kernel gave no pidfd for the child (Linux 5.4 or later is needed)")

// forkExec starts the child, asking the kernel for its pidfd and, with
// dieWithParent, for the parent-death signal.
func forkExec(path string, argv []string, attr *syscall.ProcAttr, dieWithParent bool) (Child, error) {
	sys := syscall.SysProcAttr{}
	if attr.Sys != nil {
		sys = *attr.Sys
	}
	pidfd := -1
	sys.PidFD = &pidfd
	if dieWithParent {
		sys.Pdeathsig = syscall.SIGKILL
	}
	withPidfd := *attr
	withPidfd.Sys = &sys
	pid, err := syscall.ForkExec(path, argv, &withPidfd)
	if err != nil {
		return Child{}, &os.PathError{Op: "fork/exec", Path: path, Err: err}
	}
	if pidfd < 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		_, _, _ = reap(pid, 0)
		return Child{}, errNoPidfd
	}
	return Child{PID: pid, PidFD: pidfd}, nil
}

// maxForkers bounds the forking threads.
const maxForkers = 8

var forkers struct {
	once     sync.Once
	requests chan func()
}

// onForkingThread runs fn on one of the forking threads and returns once
// it has, or returns ctx's error, without running fn, if ctx ends before a
// forking thread takes it.
func onForkingThread(ctx context.Context, fn func()) error {
	forkers.once.Do(func() {
		forkers.requests = make(chan func())
		for range min(max(runtime.GOMAXPROCS(0), 1), maxForkers) {
			go startForkLoop(forkers.requests)
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan struct{})
	request := func() {
		defer close(done)
		fn()
	}
	select {
	case forkers.requests <- request:
	case <-ctx.Done():
		return ctx.Err()
	}
	<-done
	return nil
}

// startForkLoop runs forkLoop on a thread of its own that is not the main
// thread: orphans are re-parented to the main thread (this program may be
// their subreaper), and the sweeper that reaps them should never see the
// children started here.
func startForkLoop(requests <-chan func()) {
	runtime.LockOSThread()
	if !onMainThread() {
		forkLoop(requests)
		return
	}
	// While this goroutine holds the main thread, the loop started here
	// cannot land on it; once the loop holds a thread of its own, the
	// main thread is let go.
	locked := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		close(locked)
		forkLoop(requests)
	}()
	<-locked
	runtime.UnlockOSThread()
}

// forkLoop runs the fork requests on the calling goroutine's thread, which
// it keeps locked, and alive, for as long as the program runs.
func forkLoop(requests <-chan func()) {
	runtime.LockOSThread()
	for fn := range requests {
		fn()
	}
}

// onMainThread reports whether the calling thread is the program's main
// thread (its thread ID is the process ID).
func onMainThread() bool {
	return syscall.Gettid() == os.Getpid()
}
