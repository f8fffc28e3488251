// Package follow reads a regular file that other processes write to as a
// stream, the way a pipe is read: new data is reported when the kernel says
// the file was written, and the stream ends once every writer has closed
// it.
package follow

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// File follows one file. It is used by one goroutine at a time.
type File struct {
	file    *os.File // the read side
	notify  int      // inotify instance watching the file, non-blocking
	closed  bool     // every writer has closed the file
	noSpace bool     // its file system has been seen with no space left
	buf     []byte
}

// readSize is the largest read of the file.
const readSize = 32 << 10

// Open follows the file at path, which must exist, from its start. Open it
// before any writer does, so that the end (every writer closing it) is seen.
func Open(path string) (*File, error) {
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("inotify_init1", err)
	}
	if _, err := syscall.InotifyAddWatch(fd, path, syscall.IN_MODIFY|syscall.IN_CLOSE_WRITE); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("watch %s: %w", path, os.NewSyscallError("inotify_add_watch", err))
	}
	f, err := os.Open(path)
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	file := &File{file: f, notify: fd}
	file.checkSpace()
	return file, nil
}

// FD is the descriptor to wait on: it becomes readable when the file has
// been written to or closed by a writer.
func (f *File) FD() int { return f.notify }

// ReadReady reads what the file holds beyond what was read before, without
// waiting for more, and calls fn with each chunk in order; a chunk is valid
// only during the call, and fn may itself call ReadReady, which reads what
// follows into a buffer of its own. It stops after about limit bytes. It
// reports false
// once the stream has ended: every writer has closed the file and all of
// it has been read.
//
// Each call also checks whether the file system has space left for the
// writers (see NoSpace).
func (f *File) ReadReady(limit int, fn func([]byte)) (open bool) {
	f.drainEvents()
	f.checkSpace()
	// fn may read the file itself (a handler waiting for the writer): it
	// then reads into a buffer of its own, not into the chunk it was given.
	buf := f.buf
	f.buf = nil
	if buf == nil {
		buf = make([]byte, readSize)
	}
	for total := 0; total < limit; {
		n, err := f.file.Read(buf)
		if n > 0 {
			fn(buf[:n])
			total += n
		}
		if err == io.EOF || (err == nil && n == 0) {
			return !f.closed // an idle stream holds no buffer
		}
		if err != nil {
			return false
		}
	}
	f.buf = buf
	return true
}

// NoSpace returns an error matching syscall.ENOSPC, naming the file, if
// its file system has been seen with no space left for its writers since
// Open — when Open returned, or when ReadReady was called — and nil
// otherwise. A writer's writes then fail; this program cannot see those
// failures, only the full file system.
func (f *File) NoSpace() error {
	if !f.noSpace {
		return nil
	}
	return fmt.Errorf("%s: file system full: %w", f.file.Name(), syscall.ENOSPC)
}

// checkSpace notes a file system with no space left for the file's
// writers, which run as this program does: the space left to everyone,
// or, as root, the space left to root.
func (f *File) checkSpace() {
	var st syscall.Statfs_t
	if err := syscall.Fstatfs(int(f.file.Fd()), &st); err != nil {
		return
	}
	free := st.Bavail
	if os.Geteuid() == 0 {
		free = st.Bfree
	}
	if free == 0 {
		f.noSpace = true
	}
}

// drainEvents consumes the pending notifications, noting a writer's close.
func (f *File) drainEvents() {
	var events [4096]byte
	for {
		n, err := syscall.Read(f.notify, events[:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&events[off]))
			if ev.Mask&syscall.IN_CLOSE_WRITE != 0 {
				f.closed = true
			}
			off += syscall.SizeofInotifyEvent + int(ev.Len)
		}
	}
}

// Close stops following the file; the file itself is left in place.
func (f *File) Close() error {
	syscall.Close(f.notify)
	return f.file.Close()
}
