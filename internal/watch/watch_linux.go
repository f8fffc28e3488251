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
	// Park parks the waiting goroutine until a descriptor is ready, holding
	// no OS thread and no descriptor of its own: every Park set is watched
	// by one epoll instance that the whole program shares. For long-lived
	// background waiting.
	Park Mode = iota
	// Block blocks the calling thread in the kernel, which wakes it
	// directly, on an epoll instance of the set's own. For a caller that
	// holds its thread anyway.
	Block
)

// Set is a set of descriptors waited on together. A descriptor that is
// not drained is reported again by the next Wait. A Set is used by one
// goroutine at a time.
type Set struct {
	own    *ownSet    // Block
	shared *sharedSet // Park
}

// New returns an empty Set that waits in the given mode.
func New(mode Mode) (*Set, error) {
	if mode == Park {
		s, err := newSharedSet()
		if err != nil {
			return nil, err
		}
		return &Set{shared: s}, nil
	}
	s, err := newOwnSet()
	if err != nil {
		return nil, err
	}
	return &Set{own: s}, nil
}

// Add watches fd for readability (or hang-up, which reads as end of file).
func (s *Set) Add(fd int) error {
	if s.shared != nil {
		return s.shared.add(fd)
	}
	return s.own.add(fd)
}

// Remove stops watching fd; no later Wait reports it. Call it before
// closing fd.
func (s *Set) Remove(fd int) error {
	if s.shared != nil {
		return s.shared.remove(fd)
	}
	return s.own.remove(fd)
}

// Wait blocks until at least one watched descriptor is ready and returns
// the ready ones; the slice is valid until the next call. A non-zero
// deadline ends the wait with os.ErrDeadlineExceeded.
func (s *Set) Wait(deadline time.Time) ([]int, error) {
	if s.shared != nil {
		return s.shared.wait(deadline)
	}
	return s.own.wait(deadline)
}

// Close stops watching every descriptor of the set and releases what the
// set holds; the descriptors themselves stay open.
func (s *Set) Close() error {
	if s.shared != nil {
		return s.shared.close()
	}
	return s.own.close()
}

// ownSet is a Block set: an epoll instance of its own, level-triggered.
type ownSet struct {
	ep     int
	events [8]syscall.EpollEvent
	ready  []int
}

func newOwnSet() (*ownSet, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &ownSet{ep: ep}, nil
}

func (s *ownSet) add(fd int) error {
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl", syscall.EpollCtl(s.ep, syscall.EPOLL_CTL_ADD, fd, &ev))
}

func (s *ownSet) remove(fd int) error {
	return os.NewSyscallError("epoll_ctl", syscall.EpollCtl(s.ep, syscall.EPOLL_CTL_DEL, fd, nil))
}

func (s *ownSet) wait(deadline time.Time) ([]int, error) {
	for {
		timeout := -1
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return nil, os.ErrDeadlineExceeded
			}
			timeout = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		n, err := syscall.EpollWait(s.ep, s.events[:], timeout)
		if err == syscall.EINTR || (err == nil && n == 0) {
			continue
		}
		if err != nil {
			return nil, os.NewSyscallError("epoll_wait", err)
		}
		s.ready = s.ready[:0]
		for _, ev := range s.events[:n] {
			s.ready = append(s.ready, int(ev.Fd))
		}
		return s.ready, nil
	}
}

func (s *ownSet) close() error {
	return syscall.Close(s.ep)
}
