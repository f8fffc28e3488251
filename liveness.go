package process

import "time"

// startSlack allows for the boot time being known to the second only, when
// a process's start is compared with a wall-clock time.
const startSlack = time.Second

// startedBy reports whether pid is a live process that had started by t
// (within startSlack): the only kind of process that can have written a
// file at t or registered at t. A PID reused by a process started later
// fails the test. Where start times are not known (outside Linux) it
// reports whether the PID is alive.
func startedBy(pid int, t time.Time) bool {
	ticks, alive := processStart(pid)
	if !alive {
		return false
	}
	started, known := startWallTime(ticks)
	if !known {
		return true
	}
	return !started.After(t.Add(startSlack))
}
