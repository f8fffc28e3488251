//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package process

import (
	"errors"
	"fmt"
	"os"
)

// lockPIDFile needs flock(2), which this system lacks.
func lockPIDFile(path string) (*os.File, error) {
	return nil, fmt.Errorf("pid file %s: locking needs a Unix system: %w", path, errors.ErrUnsupported)
}
