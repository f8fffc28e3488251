//go:build unix

package term

import (
	"syscall"
	"testing"

	"github.com/creack/pty"
)

func TestOpen_MasterIsNonBlockingAndSized(t *testing.T) {
	master, tty, err := Open(30, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer tty.Close()
	size, err := pty.GetsizeFull(tty)
	if err != nil {
		t.Fatal(err)
	}
	if size.Rows != 30 || size.Cols != 100 {
		t.Fatalf("size = %dx%d, want 30x100", size.Rows, size.Cols)
	}
	rc, err := master.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags int
	rc.Control(func(fd uintptr) {
		r, _, _ := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
		flags = int(r)
	})
	if flags&syscall.O_NONBLOCK == 0 {
		t.Fatal("master is in blocking mode")
	}
}

func TestSetSize_ChangesTheSize(t *testing.T) {
	master, tty, err := Open(24, 80)
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer tty.Close()
	if err := SetSize(master, 50, 132); err != nil {
		t.Fatal(err)
	}
	size, err := pty.GetsizeFull(tty)
	if err != nil {
		t.Fatal(err)
	}
	if size.Rows != 50 || size.Cols != 132 {
		t.Fatalf("size = %dx%d, want 50x132", size.Rows, size.Cols)
	}
}
