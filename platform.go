package process

import (
	"errors"
	"fmt"
)

// platformError says why processes cannot be run on the system goos, or
// is nil on Linux. The package builds everywhere; supervision needs
// Linux's pidfds, epoll and parent-death signal.
func platformError(goos string) error {
	if goos == "linux" {
		return nil
	}
	return fmt.Errorf("running processes needs Linux 5.4 or later, not %s: %w", goos, errors.ErrUnsupported)
}
