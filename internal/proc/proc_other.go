//go:build !linux

package proc

import (
	"errors"
	"os/exec"
)

// Start starts cmd. Outside Linux there is no parent-death signal, so
// dieWithParent has no effect.
func Start(cmd *exec.Cmd, dieWithParent bool) error {
	return cmd.Start()
}

// StartHere starts cmd; see the Linux version. Outside Linux there is no
// parent-death signal, so dieWithParent has no effect.
func StartHere(cmd *exec.Cmd, dieWithParent bool) error {
	return cmd.Start()
}

// ExitFD is not available outside Linux.
func ExitFD(cmd *exec.Cmd) (int, error) {
	return -1, errors.ErrUnsupported
}

// groupHasLiveMember answers true: outside Linux, zombies cannot be told
// apart cheaply, so a group with any member counts as alive.
func groupHasLiveMember(pgid int) bool {
	return true
}
