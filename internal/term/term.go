//go:build unix

// Package term opens pseudo-terminals whose master side works with Go's
// poller, so reads can be given deadlines and never pin an OS thread.
package term

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"

	"github.com/creack/pty"
)

// Open returns a new terminal of the given size: the master for this
// program, in non-blocking mode, and the tty to hand to a child.
//
// creack/pty puts the master in blocking mode (os.File.Fd does), so the
// master is re-opened here as a non-blocking, pollable file.
func Open(rows, cols uint16) (master, tty *os.File, err error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	defer ptmx.Close()
	master, err = pollable(ptmx)
	if err == nil {
		err = SetSize(master, rows, cols)
	}
	if err != nil {
		if master != nil {
			master.Close()
		}
		tty.Close()
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	return master, tty, nil
}

// pollable returns a non-blocking duplicate of f registered with the poller.
func pollable(f *os.File) (*os.File, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int
	var dupErr error
	err = rc.Control(func(orig uintptr) {
		// Hold ForkLock so no child inherits the descriptor before it is
		// marked close-on-exec.
		syscall.ForkLock.RLock()
		defer syscall.ForkLock.RUnlock()
		fd, dupErr = syscall.Dup(int(orig))
		if dupErr == nil {
			syscall.CloseOnExec(fd)
		}
	})
	if err == nil {
		err = dupErr
	}
	if err != nil {
		return nil, err
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// SetSize sets the terminal size; the foreground process group of the
// terminal receives SIGWINCH. It leaves master in non-blocking mode.
func SetSize(master *os.File, rows, cols uint16) error {
	rc, err := master.SyscallConn()
	if err != nil {
		return err
	}
	size := pty.Winsize{Rows: rows, Cols: cols}
	var errno syscall.Errno
	err = rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSWINSZ,
			uintptr(unsafe.Pointer(&size)))
	})
	if err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}
