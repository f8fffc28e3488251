//go:build !linux

// Package follow reads a regular file that other processes write to as a
// stream. It is only implemented on Linux.
package follow

import "errors"

// File is only implemented on Linux.
type File struct{}

// Open reports that following a file needs Linux (inotify).
func Open(path string) (*File, error) { return nil, errors.ErrUnsupported }

// FD is never reached outside Linux.
func (f *File) FD() int { return -1 }

// ReadReady is never reached outside Linux.
func (f *File) ReadReady(limit int, fn func([]byte)) bool { return false }

// NoSpace is never reached outside Linux.
func (f *File) NoSpace() error { return nil }

// Close is never reached outside Linux.
func (f *File) Close() error { return nil }
