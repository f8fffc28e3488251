//go:build !linux

package watch

import (
	"errors"
	"time"
)

// Mode says how Wait waits.
type Mode int

// The wait modes; see the Linux version.
const (
	Park Mode = iota
	Block
)

// Set is only implemented on Linux.
type Set struct{}

// New reports that process supervision needs Linux (epoll and pidfds).
func New(mode Mode) (*Set, error) {
	return nil, errors.ErrUnsupported
}

// Add is never reached outside Linux.
func (s *Set) Add(fd int) error { return errors.ErrUnsupported }

// Remove is never reached outside Linux.
func (s *Set) Remove(fd int) error { return errors.ErrUnsupported }

// Wait is never reached outside Linux.
func (s *Set) Wait(deadline time.Time) ([]int, error) { return nil, errors.ErrUnsupported }

// Close is never reached outside Linux.
func (s *Set) Close() error { return nil }

// Poll is never reached outside Linux.
func Poll(fds []int, timeout time.Duration) ([]int, error) { return nil, errors.ErrUnsupported }
