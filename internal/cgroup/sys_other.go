//go:build !linux

package cgroup

import (
	"os"
	"syscall"
)

// Open reports that cgroups need Linux.
func (g Group) Open() (*os.File, error) { return nil, ErrUnavailable }

// StartIn is never reached outside Linux.
func StartIn(sys *syscall.SysProcAttr, dir *os.File) {}

// Claim never claims outside Linux.
func (g Group) Claim() (release func(), ok bool) { return nil, false }

// SignalMember reports that cgroups need Linux.
func (g Group) SignalMember(pid int, sig syscall.Signal) error { return ErrUnavailable }

// readSmall reports that cgroups need Linux.
func readSmall(path string, buf []byte) ([]byte, error) { return nil, ErrUnavailable }
