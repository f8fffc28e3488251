//go:build !linux

package process

import "time"

// processStart reports whether pid names a live process. Outside Linux the
// start time is not known (0), so a reused PID cannot be told from the
// process that first held it.
func processStart(pid int) (ticks uint64, alive bool) {
	if pid <= 0 {
		return 0, false
	}
	return 0, pidExists(pid)
}

// startWallTime is not known outside Linux.
func startWallTime(ticks uint64) (time.Time, bool) { return time.Time{}, false }
