package process

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// signalNames maps the signals a user is likely to send or see to their
// conventional names: those every system's syscall package defines, and on
// Unix systems the others (systemSignals).
var signalNames = systemSignals(map[syscall.Signal]string{
	syscall.SIGHUP:  "SIGHUP",
	syscall.SIGINT:  "SIGINT",
	syscall.SIGQUIT: "SIGQUIT",
	syscall.SIGILL:  "SIGILL",
	syscall.SIGTRAP: "SIGTRAP",
	syscall.SIGABRT: "SIGABRT",
	syscall.SIGBUS:  "SIGBUS",
	syscall.SIGFPE:  "SIGFPE",
	syscall.SIGKILL: "SIGKILL",
	syscall.SIGSEGV: "SIGSEGV",
	syscall.SIGPIPE: "SIGPIPE",
	syscall.SIGALRM: "SIGALRM",
	syscall.SIGTERM: "SIGTERM",
})

// signalName returns the conventional name of sig, such as "SIGTERM".
func signalName(sig syscall.Signal) string {
	if name, ok := signalNames[sig]; ok {
		return name
	}
	return "SIG" + strconv.Itoa(int(sig))
}

// parseSignal accepts a name with or without the SIG prefix, in any case
// ("SIGTERM", "term"), or a signal number.
func parseSignal(s string) (syscall.Signal, error) {
	name := strings.ToUpper(strings.TrimSpace(s))
	if n, err := strconv.Atoi(name); err == nil {
		return signalNumber(n)
	}
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	for sig, known := range signalNames {
		if known == name {
			return sig, nil
		}
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// signalNumber validates a numeric signal; 0 is allowed (it only checks
// that the target exists).
func signalNumber(n int) (syscall.Signal, error) {
	sig := syscall.Signal(n)
	if err := checkSignal(sig); err != nil {
		return 0, err
	}
	return sig, nil
}

// maxSignal is the highest signal number of Linux (its _NSIG is 65).
const maxSignal = 64

// checkSignal is the rule for which signals may be sent, checked before
// any is delivered: a number from 1 to maxSignal, or 0, which delivers
// nothing and only checks that the target exists.
func checkSignal(sig syscall.Signal) error {
	if sig < 0 || sig > maxSignal {
		return fmt.Errorf("signal number %d out of range 0..%d", int(sig), maxSignal)
	}
	return nil
}
