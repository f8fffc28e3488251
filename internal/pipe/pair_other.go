//go:build unix && !linux

package pipe

import "syscall"

func closeOnExecPipe(fds []int) error {
	// Hold ForkLock so no child inherits the pipe before it is marked
	// close-on-exec.
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	if err := syscall.Pipe(fds); err != nil {
		return err
	}
	syscall.CloseOnExec(fds[0])
	syscall.CloseOnExec(fds[1])
	return nil
}
