//go:build unix

package pipe

import (
	"os"
	"syscall"
)

// Output returns a pipe for a child's output. The child's end w is a plain
// blocking descriptor. The parent's end r is non-blocking for ReadReady and
// stays out of Go's poller (r.Read would report EAGAIN instead of waiting):
// a watch.Set waits on it.
func Output() (r, w *os.File, err error) {
	var fds [2]int
	if err := closeOnExecPipe(fds[:]); err != nil {
		return nil, nil, os.NewSyscallError("pipe", err)
	}
	// NewFile registers a descriptor with the poller only if it is already
	// non-blocking, so the flag is set after.
	r, w = os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1")
	if err := syscall.SetNonblock(fds[0], true); err != nil {
		r.Close()
		w.Close()
		return nil, nil, os.NewSyscallError("setnonblock", err)
	}
	return r, w, nil
}

// Input returns a pipe for a child's input: r for the child, blocking; w for
// the parent, non-blocking and served by the poller, so writes wait for the
// child to read.
func Input() (r, w *os.File, err error) {
	var fds [2]int
	if err := closeOnExecPipe(fds[:]); err != nil {
		return nil, nil, os.NewSyscallError("pipe", err)
	}
	if err := syscall.SetNonblock(fds[1], true); err != nil {
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		return nil, nil, os.NewSyscallError("setnonblock", err)
	}
	return os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1"), nil
}
