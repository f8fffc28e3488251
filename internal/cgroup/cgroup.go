// Package cgroup creates, watches, signals and removes cgroups in the
// cgroup v2 hierarchy that this program may write to.
package cgroup

import (
	"errors"
	"time"
)

// ErrUnavailable reports that there is no cgroup v2 hierarchy this program
// can create cgroups in.
var ErrUnavailable = errors.New("no writable cgroup v2 hierarchy")

// Usage is what the members of a cgroup, past and present, have used.
type Usage struct {
	// CPU is the CPU time (user and system) of every process that has been
	// a member.
	CPU time.Duration
	// MaxRSS is the most memory the cgroup has held at once, in bytes; 0
	// when the memory controller is not enabled for it.
	MaxRSS int64
}
