//go:build !unix

package process

import "syscall"

// groupLeaderAttr is never used to start a child here (platformError
// refuses first); it keeps the package building.
func groupLeaderAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

// terminalLeaderAttr is never used to start a child here.
func terminalLeaderAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
