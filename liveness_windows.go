package process

import "os"

// pidExists reports whether a process with this PID can be opened.
func pidExists(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
