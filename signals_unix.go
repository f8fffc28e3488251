//go:build unix

package process

import "syscall"

// systemSignals adds the names of the other signals of Unix systems to
// names.
func systemSignals(names map[syscall.Signal]string) map[syscall.Signal]string {
	names[syscall.SIGUSR1] = "SIGUSR1"
	names[syscall.SIGUSR2] = "SIGUSR2"
	names[syscall.SIGCHLD] = "SIGCHLD"
	names[syscall.SIGCONT] = "SIGCONT"
	names[syscall.SIGSTOP] = "SIGSTOP"
	names[syscall.SIGTSTP] = "SIGTSTP"
	names[syscall.SIGTTIN] = "SIGTTIN"
	names[syscall.SIGTTOU] = "SIGTTOU"
	names[syscall.SIGURG] = "SIGURG"
	names[syscall.SIGXCPU] = "SIGXCPU"
	names[syscall.SIGXFSZ] = "SIGXFSZ"
	names[syscall.SIGVTALRM] = "SIGVTALRM"
	names[syscall.SIGPROF] = "SIGPROF"
	names[syscall.SIGWINCH] = "SIGWINCH"
	names[syscall.SIGIO] = "SIGIO"
	names[syscall.SIGSYS] = "SIGSYS"
	return names
}
