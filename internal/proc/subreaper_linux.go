package proc

import (
	"bytes"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const prSetChildSubreaper = 36 // prctl(2) PR_SET_CHILD_SUBREAPER

var subreaper struct {
	once sync.Once
	err  error
}

// BecomeSubreaper makes this program the subreaper of its descendants: an
// orphan among them is re-parented to this program instead of to init, so
// it can still be found (Strays) and signalled. Once it is, a sweeper reaps
// such re-parented descendants when they exit — but never a child that
// some part of this program holds a pidfd for (every child started by
// os/exec or by this package), whose waiter reaps it.
func BecomeSubreaper() error {
	subreaper.once.Do(func() {
		if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
			subreaper.err = os.NewSyscallError("prctl PR_SET_CHILD_SUBREAPER", errno)
			return
		}
		chld := make(chan os.Signal, 1)
		signal.Notify(chld, syscall.SIGCHLD)
		go sweep(chld)
	})
	return subreaper.err
}

// Retries of a sweep that passed over a held zombie: the pidfd that held
// it (a signal being sent to an orphan, say) may be closed a moment later,
// and no SIGCHLD will come to say so.
const (
	firstResweep = 10 * time.Millisecond
	maxResweep   = time.Second
)

// sweep reaps exited orphans each time a child exits and, while a sweep
// passes over zombies because a pidfd refers to them, again after a
// growing delay.
func sweep(chld <-chan os.Signal) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	delay := firstResweep
	for {
		select {
		case <-chld:
		case <-retry.C:
		}
		if reapOrphans() {
			retry.Reset(delay)
			delay = min(2*delay, maxResweep)
		} else {
			retry.Stop()
			delay = firstResweep
		}
	}
}

// reapOrphans reaps the exited children of this program that nobody in it
// waits for. It reports whether it passed over any because a pidfd of this
// program refers to them.
func reapOrphans() (passedOver bool) {
	var zombies []int
	for _, pid := range Children() {
		if state, _, ok := readStat(strconv.Itoa(pid), make([]byte, 512)); ok && state == 'Z' {
			zombies = append(zombies, pid)
		}
	}
	if len(zombies) == 0 {
		return false
	}
	held := pidfdTargets()
	for _, pid := range zombies {
		if held[pid] {
			passedOver = true
			continue
		}
		_, _, _ = reap(pid, syscall.WNOHANG)
	}
	return passedOver
}

// Children returns the PIDs of the children of this program's main thread:
// every orphan re-parented to this program is one (the kernel gives an
// orphan to the first live thread of its subreaper), as are the children
// the main thread started itself.
func Children() []int {
	data, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(os.Getpid()) + "/children")
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range bytes.Fields(data) {
		if pid, err := strconv.Atoi(string(f)); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// pidfdTargets returns the PIDs that descriptors of this program refer to
// as pidfds.
func pidfdTargets() map[int]bool {
	held := make(map[int]bool)
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return held
	}
	for _, fd := range fds {
		link, err := os.Readlink("/proc/self/fd/" + fd.Name())
		if err != nil || link != "anon_inode:[pidfd]" {
			continue
		}
		info, err := os.ReadFile("/proc/self/fdinfo/" + fd.Name())
		if err != nil {
			continue
		}
		for line := range bytes.Lines(info) {
			if v, ok := bytes.CutPrefix(line, []byte("Pid:")); ok {
				if pid, err := strconv.Atoi(string(bytes.TrimSpace(v))); err == nil {
					held[pid] = true
				}
			}
		}
	}
	return held
}

// Strays returns the live children of this program, re-parented to it as
// its descendants' orphans, whose environment has marker (a "KEY=value"
// item) and which are not in skip.
func Strays(marker string, skip func(pid int) bool) []int {
	var out []int
	for _, pid := range Children() {
		if !skip(pid) && hasEnv(pid, []byte(marker)) {
			out = append(out, pid)
		}
	}
	return out
}

// How long an empty read of a process's environment is tried again. An
// exec makes the environment read as empty twice over: while the new
// memory map is being set up, and when the read began on the old map
// (which /proc took at open). The kernel tells those apart from an empty
// environment, except while an exec fills the new environment in (which
// it does with env_start == env_end, as an empty one has): so
// emptyEnvLimit, short, bounds what an empty environment costs, and
// execLimit bounds the rest (a process stopped in the middle of an exec
// would otherwise hold hasEnv for ever).
const (
	execLimit     = time.Second
	emptyEnvLimit = 100 * time.Millisecond
)

// hasEnv reports whether process pid's environment has item. An empty read
// is tried again for as long as retryEmptyFor says it may be an exec's.
func hasEnv(pid int, item []byte) bool {
	path := "/proc/" + strconv.Itoa(pid) + "/environ"
	buf := environBuffers.Get().(*[]byte)
	defer environBuffers.Put(buf)
	for start := time.Now(); ; {
		env, err := readEnviron(path, buf)
		if err != nil {
			return false
		}
		if len(env) > 0 {
			for kv := range bytes.SplitSeq(env, []byte{0}) {
				if bytes.Equal(kv, item) {
					return true
				}
			}
			return false
		}
		if time.Since(start) >= retryEmptyFor(pid) {
			return false // an empty environment, or gone
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// environBuffers hold whole environments, read at once.
var environBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// readEnviron reads a /proc/<pid>/environ file in one read: the kernel
// holds the memory map it reads from for the length of one read only, so
// an exec between two reads would end the second at once and leave the
// environment cut short (and a mark at its end unseen). A buffer too small
// for the whole environment is grown and the read made again.
func readEnviron(path string, buf *[]byte) ([]byte, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		n, err := syscall.Read(fd, *buf)
		syscall.Close(fd)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n < len(*buf) {
			return (*buf)[:n], nil
		}
		*buf = make([]byte, 4*len(*buf))
	}
}

// retryEmptyFor returns how long, in all, an empty read of process pid's
// environment is worth trying again, from /proc/<pid>/stat: not at all for
// a process that is gone or a zombie; execLimit while it is in the middle
// of an exec (env_end, field 51, is 0 until the new memory map's
// environment is placed) or while its environment is not empty (env_end >
// env_start, field 50: the read saw a map it has since left);
// emptyEnvLimit when env_start == env_end.
func retryEmptyFor(pid int) time.Duration {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return 0
	}
	fields := bytes.Fields(data[end+1:]) // from field 3, the state
	const envStart, envEnd = 50 - 3, 51 - 3
	if len(fields) <= envEnd || fields[0][0] == 'Z' || fields[0][0] == 'X' {
		return 0
	}
	start, err1 := strconv.ParseUint(string(fields[envStart]), 10, 64)
	stop, err2 := strconv.ParseUint(string(fields[envEnd]), 10, 64)
	switch {
	case err1 != nil || err2 != nil:
		return 0
	case stop == 0 || stop > start:
		return execLimit
	}
	return emptyEnvLimit
}

// StartTime returns when process pid started, in clock ticks after boot:
// with its PID, it names a process that no reuse of the PID can be taken
// for.
func StartTime(pid int) (uint64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return 0, syscall.EINVAL
	}
	// After the command: state is field 3, starttime field 22.
	fields := bytes.Fields(data[end+1:])
	if len(fields) < 20 {
		return 0, syscall.EINVAL
	}
	return strconv.ParseUint(string(fields[19]), 10, 64)
}

// SignalStray sends sig through a pidfd to pid, if pid is still a child of
// this program, and to the process group it leads, if it leads one. It
// reports ESRCH when pid is not a child of this program.
func SignalStray(pid int, sig syscall.Signal) error {
	pidfd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if errno != 0 {
		return errno
	}
	defer syscall.Close(int(pidfd))
	ppid, pgrp, err := parentAndGroup(pid)
	if err != nil || ppid != os.Getpid() {
		return syscall.ESRCH
	}
	group := pgrp == pid
	flags := uintptr(0)
	if group {
		flags = pidfdSignalProcessGroup
	}
	_, _, errno = syscall.Syscall6(sysPidfdSendSignal, pidfd, uintptr(sig), 0, flags, 0, 0)
	if errno == syscall.EINVAL && group {
		_, _, errno = syscall.Syscall6(sysPidfdSendSignal, pidfd, uintptr(sig), 0, 0, 0, 0)
	}
	if errno != 0 {
		return errno
	}
	return nil
}

const sysPidfdOpen = 434 // pidfd_open(2), the same number on every Linux architecture

// parentAndGroup returns the parent PID and the process group of pid.
func parentAndGroup(pid int) (ppid, pgrp int, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return 0, 0, syscall.EINVAL
	}
	fields := bytes.Fields(data[end+1:]) // state ppid pgrp ...
	if len(fields) < 3 {
		return 0, 0, syscall.EINVAL
	}
	if ppid, err = strconv.Atoi(string(fields[1])); err != nil {
		return 0, 0, err
	}
	pgrp, err = strconv.Atoi(string(fields[2]))
	return ppid, pgrp, err
}
