//go:build !unix

package process

import "syscall"

// systemSignals returns names as it is: processes do not run here, and the
// signals every system defines keep the package building.
func systemSignals(names map[syscall.Signal]string) map[syscall.Signal]string {
	return names
}
