package pipe

import (
	"os"
	"syscall"
)

// Output returns a pipe for a child's output. The parent's end r is
// non-blocking and served by the runtime poller; the child's end w is a
// plain blocking descriptor that never enters the poller (os.Pipe would
// register both ends, and os/exec would then switch w back to blocking).
func Output() (r, w *os.File, err error) {
	fds, err := pair(0)
	if err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1"), nil
}

// Input returns a pipe for a child's input: r for the child, blocking; w for
// the parent, non-blocking and served by the poller.
func Input() (r, w *os.File, err error) {
	fds, err := pair(1)
	if err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1"), nil
}

// pair creates a close-on-exec pipe whose end parentEnd is non-blocking.
func pair(parentEnd int) ([2]int, error) {
	var fds [2]int
	if err := closeOnExecPipe(fds[:]); err != nil {
		return fds, os.NewSyscallError("pipe", err)
	}
	if err := syscall.SetNonblock(fds[parentEnd], true); err != nil {
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		return fds, os.NewSyscallError("setnonblock", err)
	}
	return fds, nil
}
