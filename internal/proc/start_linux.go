package proc

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

// Start starts cmd. With dieWithParent set the kernel kills the child with
// SIGKILL when this program dies, however it dies.
//
// Linux delivers the parent-death signal when the thread that forked the
// child exits, not the process (golang/go#27505), so such children are
// forked from one OS thread that is locked and never exits.
func Start(cmd *exec.Cmd, dieWithParent bool) error {
	if !dieWithParent {
		return cmd.Start()
	}
	setParentDeathSignal(cmd)
	forker.once.Do(func() {
		forker.requests = make(chan forkRequest)
		go forkLoop(forker.requests)
	})
	done := make(chan error, 1)
	forker.requests <- forkRequest{cmd: cmd, done: done}
	return <-done
}

// StartHere is Start for a caller that has locked its goroutine to its OS
// thread (runtime.LockOSThread) and keeps it locked until the child has
// been reaped: the child is forked from that thread, which therefore lives
// at least as long as the child, without a hand-off to the forking thread.
func StartHere(cmd *exec.Cmd, dieWithParent bool) error {
	if dieWithParent {
		setParentDeathSignal(cmd)
	}
	return cmd.Start()
}

func setParentDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

type forkRequest struct {
	cmd  *exec.Cmd
	done chan<- error
}

var forker struct {
	once     sync.Once
	requests chan forkRequest
}

func forkLoop(requests <-chan forkRequest) {
	// Never unlocked: the goroutine keeps this thread alive for as long as
	// the program runs.
	runtime.LockOSThread()
	for r := range requests {
		r.done <- r.cmd.Start()
	}
}

// AwaitExit blocks until process pid has exited, without reaping it: the
// PID stays reserved (a zombie) until the caller waits for it. It reports
// whether it waited; false means the caller must rely on reaping alone.
func AwaitExit(pid int) bool {
	const pPID = 1
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid),
			uintptr(unsafe.Pointer(&info[0])), syscall.WEXITED|syscall.WNOWAIT, 0, 0)
		switch errno {
		case 0:
			return true
		case syscall.EINTR:
			continue
		default:
			return false
		}
	}
}
