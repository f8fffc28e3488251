//go:build !unix

package term

import (
	"errors"
	"os"
)

// Open reports that pseudo-terminals need a Unix system.
func Open(rows, cols uint16) (master, tty *os.File, err error) {
	return nil, nil, errors.ErrUnsupported
}

// SetSize reports that pseudo-terminals need a Unix system.
func SetSize(master *os.File, rows, cols uint16) error {
	return errors.ErrUnsupported
}
