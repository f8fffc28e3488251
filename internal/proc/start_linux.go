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
	prepare(cmd, dieWithParent)
	if !dieWithParent {
		return cmd.Start()
	}
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
	prepare(cmd, dieWithParent)
	return cmd.Start()
}

// prepare asks for a pidfd of the child (see ExitFD) and, with
// dieWithParent, for the parent-death signal.
func prepare(cmd *exec.Cmd, dieWithParent bool) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	pidfd := -1
	cmd.SysProcAttr.PidFD = &pidfd
	if dieWithParent {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
}

// ExitFD returns a descriptor, owned by the caller, that becomes readable
// once the child started by Start or StartHere has exited — before it is
// reaped, so its PID stays reserved until the caller waits for it.
//
// It is the child's pidfd (Linux 5.3 and later). On older kernels it is a
// pipe whose writer a goroutine closes when waitid reports the exit.
func ExitFD(cmd *exec.Cmd) (int, error) {
	if attr := cmd.SysProcAttr; attr != nil && attr.PidFD != nil && *attr.PidFD >= 0 {
		return *attr.PidFD, nil
	}
	return exitPipe(cmd.Process.Pid)
}

// exitPipe returns the read end of a pipe that reports end of file once
// process pid has exited.
func exitPipe(pid int) (int, error) {
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		return -1, err
	}
	go func() {
		awaitExit(pid)
		syscall.Close(fds[1])
	}()
	return fds[0], nil
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

// awaitExit blocks until process pid has exited, without reaping it: the
// PID stays reserved (a zombie) until the caller waits for it. It reports
// whether it waited; false means the caller must rely on reaping alone.
func awaitExit(pid int) bool {
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
