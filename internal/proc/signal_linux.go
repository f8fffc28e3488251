package proc

import (
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
)

// sysPidfdSendSignal is pidfd_send_signal(2), the same number on every
// Linux architecture.
const sysPidfdSendSignal = 424

// pidfdSignalProcessGroup makes pidfd_send_signal signal the process group
// of the pidfd's process (Linux 6.9 and later).
const pidfdSignalProcessGroup = 1 << 2

// groupSignals records whether the kernel signals process groups through
// pidfds: 0 not yet known, 1 yes, 2 no.
var groupSignals atomic.Int32

// SignalGroup sends sig to every member of the process group that the
// child of pidfd leads (its PID is pgid). It fails with ESRCH once the
// group has no member left, zombies included.
//
// Through the pidfd the group is reached even after its leader has been
// reaped, and never another group that reuses the number. Kernels before
// 6.9 cannot do that; there the group is signalled by number, which is safe
// until the group's last member is reaped.
func SignalGroup(pidfd, pgid int, sig syscall.Signal) error {
	if pgid <= 1 {
		return syscall.EINVAL
	}
	if pidfd >= 0 && groupSignals.Load() != 2 {
		switch err := pidfdSignalGroup(pidfd, sig); {
		case err == syscall.EINVAL && !groupSignalsSupported(pidfd):
			// The kernel lacks the flag; an invalid sig fails below too.
		case err == syscall.ENOSYS:
			// The kernel lacks pidfd_send_signal itself.
		default:
			groupSignals.Store(1)
			if err == nil {
				return nil
			}
			return err
		}
		groupSignals.Store(2)
	}
	return syscall.Kill(-pgid, sig)
}

// pidfdSignalGroup sends sig to the process group led by the process of
// pidfd.
func pidfdSignalGroup(pidfd int, sig syscall.Signal) error {
	_, _, errno := syscall.Syscall6(sysPidfdSendSignal, uintptr(pidfd), uintptr(sig), 0,
		pidfdSignalProcessGroup, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// groupSignalsSupported tells, after pidfd_send_signal failed with
// EINVAL, whether the kernel lacks group signals through pidfds or the
// signal was not one: the null signal, which is valid, then succeeds
// (or finds no member) where the kernel has them.
func groupSignalsSupported(pidfd int) bool {
	err := pidfdSignalGroup(pidfd, 0)
	return err != syscall.EINVAL && err != syscall.ENOSYS
}

// IsOwnThread reports whether id is the ID of a thread of this program
// (its PID included).
func IsOwnThread(id int) bool {
	if id == os.Getpid() {
		return true
	}
	_, err := os.Stat("/proc/self/task/" + strconv.Itoa(id))
	return err == nil
}

// ThreadID returns the ID of the calling thread.
func ThreadID() int { return syscall.Gettid() }
