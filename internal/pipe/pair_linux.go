package pipe

import "syscall"

func closeOnExecPipe(fds []int) error {
	return syscall.Pipe2(fds, syscall.O_CLOEXEC)
}
