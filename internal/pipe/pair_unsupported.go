//go:build !unix

package pipe

import (
	"errors"
	"os"
)

// Output reports that the non-blocking child pipes need a Unix system.
func Output() (r, w *os.File, err error) {
	return nil, nil, errors.ErrUnsupported
}

// Input reports that the non-blocking child pipes need a Unix system.
func Input() (r, w *os.File, err error) {
	return nil, nil, errors.ErrUnsupported
}

// ReadReady is never reached without a Unix system: no pipe is ever
// opened. It reports the stream as ended.
func ReadReady(fd int, limit int, fn func([]byte)) (open bool) {
	return false
}
