//go:build unix

package pipe

import (
	"sync"
	"syscall"
)

// chunkSize is the largest chunk ReadReady hands to its callback.
const chunkSize = 64 << 10

var chunks = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// ReadReady reads what the non-blocking descriptor fd has ready, without
// waiting for more, and calls fn with each chunk in order; a chunk is only
// valid during the call. It stops after about limit bytes, so one busy
// stream cannot starve others. It reports false once the stream has ended:
// end of file, EIO (which a Linux terminal master returns once the terminal
// is closed on the other side) or any other read error.
//
// A buffer is borrowed only while reading, so an idle stream holds no
// memory.
func ReadReady(fd int, limit int, fn func([]byte)) (open bool) {
	var buf *[]byte
	defer func() {
		if buf != nil {
			chunks.Put(buf)
		}
	}()
	for total := 0; total < limit; {
		if buf == nil {
			buf = chunks.Get().(*[]byte)
		}
		n, err := syscall.Read(fd, *buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return true
		case err != nil || n == 0:
			return false
		}
		fn((*buf)[:n])
		total += n
	}
	return true
}
