package proc

import (
	"bytes"
	"os"
	"strconv"
)

// groupHasLiveMember scans /proc for a member of group pgid that is not a
// zombie. If /proc cannot be read it answers true, the safe side for a
// caller deciding whether to keep waiting.
func groupHasLiveMember(pgid int) bool {
	dir, err := os.Open("/proc")
	if err != nil {
		return true
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return true
	}
	var buf [512]byte
	for _, name := range names {
		if name[0] < '0' || name[0] > '9' {
			continue
		}
		if state, pgrp, ok := readStat(name, buf[:]); ok && pgrp == pgid && state != 'Z' && state != 'X' {
			return true
		}
	}
	return false
}

// readStat returns the state and process group from /proc/<pid>/stat.
func readStat(pid string, buf []byte) (state byte, pgrp int, ok bool) {
	f, err := os.Open("/proc/" + pid + "/stat")
	if err != nil {
		return 0, 0, false
	}
	n, _ := f.Read(buf)
	f.Close()
	stat := buf[:n]
	// The command name may contain spaces and parentheses: fields start
	// after the last ')'. Then: state ppid pgrp ...
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, 0, false
	}
	fields := bytes.Fields(stat[end+1:])
	if len(fields) < 3 {
		return 0, 0, false
	}
	pgrp, err = strconv.Atoi(string(fields[2]))
	if err != nil {
		return 0, 0, false
	}
	return fields[0][0], pgrp, true
}
