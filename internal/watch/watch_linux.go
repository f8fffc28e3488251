// Package watch waits on one goroutine for any of several descriptors to
// become readable: a child's output streams and the descriptor that tells
// its exit.
package watch

import (
	"os"
	"syscall"
	"time"
)

// Mode says how Wait waits.
type Mode int

const (
	// Park parks the waiting goroutine in Go's network poller; no OS
	// thread is held while waiting. For long-lived background waiting.
	Park Mode = iota
	// Block blocks the calling thread in the kernel, which wakes it
	// directly. For a caller that holds its thread anyway.
	Block
)

// Set is an epoll instance. Descriptors are watched level-triggered, so one
// that is not drained is reported again. A Set is used by one goroutine at
// a time.
type Set struct {
	mode   Mode
	ep     int
	file   *os.File        // Park: the epoll instance in the runtime poller
	conn   syscall.RawConn // Park: file's raw connection
	events [8]syscall.EpollEvent
	ready  []int
}

// New returns an empty Set that waits in the given mode.
func New(mode Mode) (*Set, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	s := &Set{mode: mode, ep: ep}
	if mode == Block {
		return s, nil
	}
	if err := syscall.SetNonblock(ep, true); err != nil {
		syscall.Close(ep)
		return nil, os.NewSyscallError("setnonblock", err)
	}
	// A non-blocking descriptor given to NewFile joins the runtime poller.
	s.file = os.NewFile(uintptr(ep), "epoll")
	if s.conn, err = s.file.SyscallConn(); err != nil {
		s.file.Close()
		return nil, err
	}
	return s, nil
}

// Add watches fd for readability (or hang-up, which reads as end of file).
func (s *Set) Add(fd int) error {
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl", syscall.EpollCtl(s.ep, syscall.EPOLL_CTL_ADD, fd, &ev))
}

// Remove stops watching fd. Call it before closing fd.
func (s *Set) Remove(fd int) error {
	return os.NewSyscallError("epoll_ctl", syscall.EpollCtl(s.ep, syscall.EPOLL_CTL_DEL, fd, nil))
}

// Wait blocks until at least one watched descriptor is ready and returns
// the ready ones; the slice is reused by the next call. A non-zero deadline
// ends the wait with os.ErrDeadlineExceeded.
func (s *Set) Wait(deadline time.Time) ([]int, error) {
	var n int
	var err error
	if s.mode == Block {
		n, err = s.waitBlocking(deadline)
	} else {
		n, err = s.waitParked(deadline)
	}
	if err != nil {
		return nil, err
	}
	s.ready = s.ready[:0]
	for _, ev := range s.events[:n] {
		s.ready = append(s.ready, int(ev.Fd))
	}
	return s.ready, nil
}

func (s *Set) waitBlocking(deadline time.Time) (int, error) {
	for {
		timeout := -1
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return 0, os.ErrDeadlineExceeded
			}
			timeout = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		n, err := syscall.EpollWait(s.ep, s.events[:], timeout)
		if err == syscall.EINTR || (err == nil && n == 0) {
			continue
		}
		return n, err
	}
}

func (s *Set) waitParked(deadline time.Time) (int, error) {
	if err := s.file.SetReadDeadline(deadline); err != nil {
		return 0, err
	}
	var n int
	var waitErr error
	err := s.conn.Read(func(uintptr) bool {
		n, waitErr = syscall.EpollWait(s.ep, s.events[:], 0)
		if waitErr == syscall.EINTR {
			n, waitErr = 0, nil
		}
		return n > 0 || waitErr != nil
	})
	if err == nil {
		err = waitErr
	}
	return n, err
}

// Close releases the epoll instance; the watched descriptors stay open.
func (s *Set) Close() error {
	if s.file != nil {
		return s.file.Close()
	}
	return syscall.Close(s.ep)
}
