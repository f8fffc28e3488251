package watch

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// hub is the epoll instance every Park set registers with, and the one
// goroutine that waits on it for them all. Descriptors are registered
// one-shot: once reported, a descriptor is not reported again until its
// set's next Wait re-arms it, so a stream being read is never reported
// twice and the hub never spins on one nobody has drained yet. Each
// registration carries a token of its own, not the descriptor's number,
// so a report that races with a Remove (and the number's reuse) is
// recognised and dropped.
type hub struct {
	ep     int
	mu     sync.Mutex
	next   uint32
	owners map[uint32]registration
	failed error // set once if waiting on the epoll instance fails
}

// registration is one descriptor of one set.
type registration struct {
	set *sharedSet
	fd  int
}

var shared struct {
	hub   atomic.Pointer[hub]
	start sync.Mutex // held while the hub is being started
}

// sharedHub returns the program's hub, starting it on first use. It lives
// as long as the program. A start that fails (no descriptor left for the
// epoll instance, say) is not remembered: the next call tries again.
func sharedHub() (*hub, error) {
	if h := shared.hub.Load(); h != nil {
		return h, nil
	}
	shared.start.Lock()
	defer shared.start.Unlock()
	if h := shared.hub.Load(); h != nil {
		return h, nil
	}
	h, err := startHub()
	if err != nil {
		return nil, err
	}
	shared.hub.Store(h)
	return h, nil
}

func startHub() (*hub, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	if err := syscall.SetNonblock(ep, true); err != nil {
		syscall.Close(ep)
		return nil, os.NewSyscallError("setnonblock", err)
	}
	// A non-blocking descriptor given to NewFile joins the runtime poller,
	// so the hub's goroutine parks without holding a thread.
	file := os.NewFile(uintptr(ep), "watch-hub")
	conn, err := file.SyscallConn()
	if err != nil {
		file.Close()
		return nil, err
	}
	h := &hub{ep: ep, owners: make(map[uint32]registration)}
	go h.loop(file, conn)
	return h, nil
}

// loop hands every report to the set that registered the descriptor. It
// ends only if waiting fails, which wakes every set with the error.
func (h *hub) loop(file *os.File, conn syscall.RawConn) {
	var events [128]syscall.EpollEvent
	var n int
	var waitErr error
	poll := func(uintptr) bool { // made once: a closure per wait would allocate
		n, waitErr = syscall.EpollWait(h.ep, events[:], 0)
		if waitErr == syscall.EINTR {
			n, waitErr = 0, nil
		}
		return n > 0 || waitErr != nil
	}
	for {
		err := conn.Read(poll)
		if err == nil && waitErr != nil {
			err = os.NewSyscallError("epoll_wait", waitErr)
		}
		if err != nil {
			h.fail(fmt.Errorf("watch: shared epoll instance: %w", err))
			file.Close()
			return
		}
		h.dispatch(events[:n])
	}
}

func (h *hub) dispatch(events []syscall.EpollEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ev := range events {
		if reg, ok := h.owners[uint32(ev.Fd)]; ok {
			reg.set.report(reg.fd)
		}
	}
}

func (h *hub) fail(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failed = err
	for _, reg := range h.owners {
		reg.set.signal()
	}
}

// register gives fd of s a fresh token.
func (h *hub) register(s *sharedSet, fd int) (uint32, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failed != nil {
		return 0, h.failed
	}
	for {
		h.next++
		if _, used := h.owners[h.next]; !used && h.next != 0 {
			break
		}
	}
	h.owners[h.next] = registration{set: s, fd: fd}
	return h.next, nil
}

// unregister drops token; once it returns, no report of it reaches its
// set.
func (h *hub) unregister(token uint32) {
	h.mu.Lock()
	delete(h.owners, token)
	h.mu.Unlock()
}

func (h *hub) failure() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failed
}

// ctl arms (op ADD or MOD) or removes (DEL) the registration of fd.
func (h *hub) ctl(op, fd int, token uint32) error {
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLONESHOT, Fd: int32(token)}
	return os.NewSyscallError("epoll_ctl", syscall.EpollCtl(h.ep, op, fd, &ev))
}

// sharedSet is a Park set: its descriptors are watched by the hub, which
// queues reports for it and wakes it.
type sharedSet struct {
	hub    *hub
	tokens []watched // used by the set's goroutine only
	handed []int     // what the last wait returned, re-armed by the next

	mu      sync.Mutex
	pending []int // reported, not yet returned by wait
	spare   []int // the slice wait returned last time, reused
	wake    chan struct{}
}

// watched is one descriptor of a set and its token.
type watched struct {
	fd    int
	token uint32
}

func newSharedSet() (*sharedSet, error) {
	h, err := sharedHub()
	if err != nil {
		return nil, err
	}
	return &sharedSet{hub: h, wake: make(chan struct{}, 1)}, nil
}

func (s *sharedSet) add(fd int) error {
	token, err := s.hub.register(s, fd)
	if err != nil {
		return err
	}
	if err := s.hub.ctl(syscall.EPOLL_CTL_ADD, fd, token); err != nil {
		s.hub.unregister(token)
		return err
	}
	s.tokens = append(s.tokens, watched{fd: fd, token: token})
	return nil
}

func (s *sharedSet) remove(fd int) error {
	i := slices.IndexFunc(s.tokens, func(w watched) bool { return w.fd == fd })
	if i < 0 {
		return os.NewSyscallError("epoll_ctl", syscall.ENOENT)
	}
	token := s.tokens[i].token
	s.tokens = slices.Delete(s.tokens, i, i+1)
	s.hub.unregister(token)
	err := s.hub.ctl(syscall.EPOLL_CTL_DEL, fd, token)
	s.mu.Lock()
	s.pending = slices.DeleteFunc(s.pending, func(p int) bool { return p == fd })
	s.mu.Unlock()
	s.handed = slices.DeleteFunc(s.handed, func(p int) bool { return p == fd })
	return err
}

func (s *sharedSet) wait(deadline time.Time) ([]int, error) {
	if err := s.rearm(); err != nil {
		return nil, err
	}
	var timeout <-chan time.Time
	for {
		s.mu.Lock()
		if len(s.pending) > 0 {
			ready := s.pending
			s.pending, s.spare = s.spare[:0], ready
			s.mu.Unlock()
			s.handed = append(s.handed[:0], ready...)
			return ready, nil
		}
		s.mu.Unlock()
		if err := s.hub.failure(); err != nil {
			return nil, err
		}
		if timeout == nil && !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return nil, os.ErrDeadlineExceeded
			}
			t := time.NewTimer(left)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-s.wake:
		case <-timeout:
			return nil, os.ErrDeadlineExceeded
		}
	}
}

// rearm lets the hub report again what the last wait returned.
func (s *sharedSet) rearm() error {
	for _, fd := range s.handed {
		i := slices.IndexFunc(s.tokens, func(w watched) bool { return w.fd == fd })
		if i < 0 {
			continue
		}
		if err := s.hub.ctl(syscall.EPOLL_CTL_MOD, fd, s.tokens[i].token); err != nil {
			return err
		}
	}
	s.handed = s.handed[:0]
	return nil
}

// report queues fd as ready; the hub calls it holding its lock.
func (s *sharedSet) report(fd int) {
	s.mu.Lock()
	s.pending = append(s.pending, fd)
	s.mu.Unlock()
	s.signal()
}

func (s *sharedSet) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *sharedSet) close() error {
	var first error
	for len(s.tokens) > 0 {
		if err := s.remove(s.tokens[0].fd); err != nil && first == nil {
			first = err
		}
	}
	return first
}
