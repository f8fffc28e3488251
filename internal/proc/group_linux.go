package proc

import (
	"bytes"
	"os"
	"strconv"
)

// LiveGroups returns which of the process groups pgids have a member that
// has not exited: members that have exited but are not yet reaped
// (orphans wait for init) do not count. One scan of /proc answers for all
// of them. If /proc cannot be read, every group counts as live, the safe
// side for a caller deciding whether to keep waiting.
func LiveGroups(pgids []int) map[int]bool {
	live := make(map[int]bool, len(pgids))
	wanted := make(map[int]bool, len(pgids))
	for _, g := range pgids {
		wanted[g] = true
	}
	names, err := procEntries()
	if err != nil {
		for _, g := range pgids {
			live[g] = true
		}
		return live
	}
	var buf [512]byte
	for _, name := range names {
		if name[0] < '0' || name[0] > '9' {
			continue
		}
		state, pgrp, ok := readStat(name, buf[:])
		if ok && wanted[pgrp] && state != 'Z' && state != 'X' {
			live[pgrp] = true
		}
	}
	return live
}

func procEntries() ([]string, error) {
	dir, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	return dir.Readdirnames(-1)
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
