package watch

import (
	"os"
	"syscall"
	"time"
	"unsafe"
)

// pollFD is struct pollfd of poll(2).
type pollFD struct {
	fd      int32
	events  int16
	revents int16
}

// Events of poll(2): readable, error, hang-up, not an open descriptor.
const (
	pollIn   = 0x1
	pollErr  = 0x8
	pollHup  = 0x10
	pollNval = 0x20
)

// Poll waits, blocking the calling thread and holding no descriptor of its
// own, until at least one of fds is readable (or hung up, which reads as
// end of file, or is not open, which reads as an error) or timeout has
// passed, and returns the ready ones; a
// negative timeout waits without limit. It returns no descriptor when the
// timeout passed or a signal interrupted the wait.
func Poll(fds []int, timeout time.Duration) ([]int, error) {
	polled := make([]pollFD, len(fds))
	for i, fd := range fds {
		polled[i] = pollFD{fd: int32(fd), events: pollIn}
	}
	var ts *syscall.Timespec
	if timeout >= 0 {
		t := syscall.NsecToTimespec(int64(timeout))
		ts = &t
	}
	var first unsafe.Pointer
	if len(polled) > 0 {
		first = unsafe.Pointer(&polled[0])
	}
	n, _, errno := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(first), uintptr(len(polled)),
		uintptr(unsafe.Pointer(ts)), 0, 0, 0)
	switch {
	case errno == syscall.EINTR:
		return nil, nil
	case errno != 0:
		return nil, os.NewSyscallError("ppoll", errno)
	case n == 0:
		return nil, nil
	}
	ready := make([]int, 0, n)
	for _, p := range polled {
		if p.revents&(pollIn|pollErr|pollHup|pollNval) != 0 {
			ready = append(ready, int(p.fd))
		}
	}
	return ready, nil
}
