package process

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of a process's start time in
// /proc/<pid>/stat; Linux fixes it at 100 on every architecture.
const clockTicks = 100

// processStart reports whether pid names a live process — one that exists
// and is not a zombie — and, if so, its start time in clock ticks since
// boot (field 22 of /proc/<pid>/stat). Two processes that share a PID at
// different times never share a start time, so the pair identifies one
// process.
func processStart(pid int) (ticks uint64, alive bool) {
	if pid <= 0 {
		return 0, false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return 0, false
	}
	// After the command: state is field 3, starttime field 22.
	fields := bytes.Fields(data[end+1:])
	if len(fields) < 20 || len(fields[0]) != 1 {
		return 0, false
	}
	if state := fields[0][0]; state == 'Z' || state == 'X' || state == 'x' {
		return 0, false
	}
	ticks, err = strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0, false
	}
	return ticks, true
}

// startWallTime converts a start time in clock ticks since boot to wall
// time. It is exact to the second the kernel reports the boot time in.
func startWallTime(ticks uint64) (time.Time, bool) {
	boot, ok := bootTime()
	if !ok {
		return time.Time{}, false
	}
	// Whole seconds first: ticks × 1e9 would overflow after ~3 years up.
	since := time.Duration(ticks/clockTicks)*time.Second + time.Duration(ticks%clockTicks)*(time.Second/clockTicks)
	return boot.Add(since), true
}

var bootOnce = sync.OnceValues(readBootTime)

func bootTime() (time.Time, bool) { return bootOnce() }

// readBootTime reads the "btime" line of /proc/stat.
func readBootTime() (time.Time, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}, false
	}
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			secs, err := strconv.ParseInt(string(bytes.TrimSpace(rest)), 10, 64)
			if err != nil {
				return time.Time{}, false
			}
			return time.Unix(secs, 0), true
		}
	}
	return time.Time{}, false
}
