//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package process

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lockPIDFile opens (creating it) and exclusively locks the file at path,
// without waiting. It fails with ErrAlreadyRunning while another open file
// holds the lock.
func lockPIDFile(path string) (*os.File, error) {
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("pid file %s: %w", path, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			_ = f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, fmt.Errorf("pid file %s: %w (PID %s)", path, ErrAlreadyRunning, ownerPID(path))
			}
			return nil, fmt.Errorf("pid file %s: lock: %w", path, err)
		}
		// An owner releasing between our open and our lock removed the
		// file we locked; a new one at path may already be someone
		// else's. Only the file still at path counts.
		if same, err := stillAt(f, path); err != nil || !same {
			_ = f.Close()
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("pid file %s: %w", path, err)
			}
			continue
		}
		return f, nil
	}
}

// stillAt reports whether the open file f is the file at path.
func stillAt(f *os.File, path string) (bool, error) {
	open, err := f.Stat()
	if err != nil {
		return false, err
	}
	named, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return os.SameFile(open, named), nil
}

// ownerPID is the PID written in the file at path, or "unknown".
func ownerPID(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	if _, err := strconv.Atoi(strings.TrimSpace(string(data))); err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(data))
}
