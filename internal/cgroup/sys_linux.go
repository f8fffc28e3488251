package cgroup

import (
	"fmt"
	"os"
	"syscall"
)

// Open returns the cgroup's directory, open for a child to be started in
// it (StartIn). The caller closes it.
func (g Group) Open() (*os.File, error) {
	fd, err := syscall.Open(g.dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open cgroup %s: %w", g.dir, err)
	}
	return os.NewFile(uintptr(fd), g.dir), nil
}

// StartIn makes a child started with sys start in the cgroup whose
// directory dir is (from Open), before its first instruction.
func StartIn(sys *syscall.SysProcAttr, dir *os.File) {
	sys.UseCgroupFD = true
	sys.CgroupFD = int(dir.Fd())
}

// Claim takes the cgroup for this program, unless another program has
// taken it: it holds a lock on its directory, which release lets go, and
// which the kernel lets go when this program dies.
func (g Group) Claim() (release func(), ok bool) {
	dir, err := g.Open()
	if err != nil {
		return nil, false
	}
	if syscall.Flock(int(dir.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		dir.Close()
		return nil, false
	}
	return func() { dir.Close() }, true
}

// SignalMember signals pid if it is still a member of g or of a cgroup
// under it.
func (g Group) SignalMember(pid int, sig syscall.Signal) error {
	pidfd, err := pidfdOpen(pid)
	if err != nil {
		return err
	}
	defer syscall.Close(pidfd)
	if !g.holds(pid) {
		return syscall.ESRCH
	}
	return pidfdSendSignal(pidfd, sig)
}

const (
	sysPidfdOpen       = 434 // pidfd_open(2), the same number on every Linux architecture
	sysPidfdSendSignal = 424 // pidfd_send_signal(2)
)

func pidfdOpen(pid int) (int, error) {
	fd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

func pidfdSendSignal(pidfd int, sig syscall.Signal) error {
	_, _, errno := syscall.Syscall6(sysPidfdSendSignal, uintptr(pidfd), uintptr(sig), 0, 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// readSmall reads a file that fits in buf (cgroup files are generated
// whole on each read) with one read, and returns its content.
func readSmall(path string, buf []byte) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	for {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		return buf[:n], nil
	}
}
