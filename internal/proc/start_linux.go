package proc

import (
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
// forked from one OS thread that is locked and never exits.
func Start(path string, argv []string, attr *syscall.ProcAttr, dieWithParent bool) (Child, error) {
	if !dieWithParent {
		return forkExec(path, argv, attr, false)
	}
	var c Child
	var err error
	onForkingThread(func() { c, err = forkExec(path, argv, attr, true) })
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

var forker struct {
	once     sync.Once
	requests chan func()
}

// onForkingThread runs fn on the forking thread and returns once it has.
func onForkingThread(fn func()) {
	forker.once.Do(func() {
		forker.requests = make(chan func())
		go forkLoop(forker.requests)
	})
	done := make(chan struct{})
	forker.requests <- func() {
		defer close(done)
		fn()
	}
	<-done
}

func forkLoop(requests <-chan func()) {
	// Never unlocked: the goroutine keeps this thread alive for as long as
	// the program runs.
	runtime.LockOSThread()
	for fn := range requests {
		fn()
	}
}
