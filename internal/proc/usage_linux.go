package proc

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// clockTick is the unit of the times in /proc/<pid>/stat (USER_HZ, 100 on
// every Linux architecture Go supports).
const clockTick = 10 * time.Millisecond

// Usage returns the CPU time of the running process pid, with that of the
// children it has waited for, and its peak resident set in bytes. It
// returns zeros for a process it cannot read.
func Usage(pid int) (cpu time.Duration, peakRSS int64) {
	name := "/proc/" + strconv.Itoa(pid)
	if data, err := os.ReadFile(name + "/stat"); err == nil {
		if end := bytes.LastIndexByte(data, ')'); end >= 0 {
			// After the command: utime, stime, cutime, cstime are fields
			// 14 to 17, so 12 to 15 here (state is field 3).
			fields := bytes.Fields(data[end+1:])
			for i := 11; i < 15 && i < len(fields); i++ {
				if n, err := strconv.ParseInt(string(fields[i]), 10, 64); err == nil {
					cpu += time.Duration(n) * clockTick
				}
			}
		}
	}
	if data, err := os.ReadFile(name + "/status"); err == nil {
		for line := range bytes.Lines(data) {
			if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
				kb, _, _ := bytes.Cut(bytes.TrimSpace(v), []byte(" "))
				if n, err := strconv.ParseInt(string(kb), 10, 64); err == nil {
					peakRSS = n * 1024
				}
			}
		}
	}
	return cpu, peakRSS
}
