//go:build unix

package pipe

import (
	"os"
	"syscall"
	"testing"
)

func nonblocking(t *testing.T, f *os.File) bool {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags uintptr
	rc.Control(func(fd uintptr) {
		flags, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	})
	return flags&syscall.O_NONBLOCK != 0
}

func TestOutput_ParentEndNonBlockingChildEndBlocking(t *testing.T) {
	r, w, err := Output()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if !nonblocking(t, r) || nonblocking(t, w) {
		t.Fatal("want the parent's read end non-blocking and the child's write end blocking")
	}
}

func TestInput_ParentEndPolledChildEndBlocking(t *testing.T) {
	r, w, err := Input()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if nonblocking(t, r) || !nonblocking(t, w) {
		t.Fatal("want the child's read end blocking and the parent's write end non-blocking")
	}
}
