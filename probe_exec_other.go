//go:build !unix

package process

import "os/exec"

// isolateProbe leaves an Exec probe's command as exec.Cmd starts it: the
// command alone is killed when the check is cancelled.
func isolateProbe(cmd *exec.Cmd) {}
