// Package pipe reads the parent's end of a child's output: a pipe or a
// pseudo-terminal master.
package pipe

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"time"
)

// chunkSize is the largest chunk Drain hands to its callback.
const chunkSize = 32 << 10

// finalDrainLimit bounds how much Drain reads after its deadline, so a
// writer that never stops cannot keep it busy forever.
const finalDrainLimit = 1 << 20

var chunks = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// Drain calls fn with every chunk read from f until end of file, in order.
// The chunk is only valid during the call.
//
// Drain holds no buffer while it waits for data, so an idle stream costs no
// memory. EIO, which a Linux terminal master returns once the terminal's
// other side is closed, counts as end of file. When f's read deadline
// passes (the caller's way to stop waiting on a pipe that another process
// still holds open), Drain still delivers what is already readable, then
// returns nil. Drain does not close f.
func Drain(f *os.File, fn func([]byte)) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	r := &reader{wait: true}
	defer r.release()
	try := r.try
	for {
		err := rc.Read(try)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return drainReadable(f, rc, r, fn)
		}
		if err != nil {
			return err
		}
		if r.err != nil || r.n == 0 {
			return r.endErr()
		}
		fn((*r.buf)[:r.n])
	}
}

// drainReadable delivers what f already holds, without waiting for more.
func drainReadable(f *os.File, rc syscall.RawConn, r *reader, fn func([]byte)) error {
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		return err
	}
	r.wait = false
	try := r.try
	for total := 0; total < finalDrainLimit; total += r.n {
		if err := rc.Read(try); err != nil {
			return err
		}
		if r.err != nil || r.n == 0 {
			return r.endErr()
		}
		fn((*r.buf)[:r.n])
	}
	return nil
}

// reader performs one non-blocking read for a RawConn.
type reader struct {
	wait bool // on EAGAIN, wait for readiness instead of reporting end
	buf  *[]byte
	n    int
	err  error
}

func (r *reader) try(fd uintptr) bool {
	if r.buf == nil {
		r.buf = chunks.Get().(*[]byte)
	}
	for {
		n, err := syscall.Read(int(fd), *r.buf)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EAGAIN {
			// Nothing to read: give the buffer back while idle.
			r.release()
			if r.wait {
				return false
			}
			n, err = 0, nil
		}
		r.n, r.err = max(n, 0), err
		return true
	}
}

// endErr maps the terminal read result to Drain's result.
func (r *reader) endErr() error {
	if r.err == syscall.EIO {
		return nil
	}
	return r.err
}

func (r *reader) release() {
	if r.buf != nil {
		chunks.Put(r.buf)
		r.buf = nil
	}
}
