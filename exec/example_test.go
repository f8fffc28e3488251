package exec_test

import (
	"context"
	"fmt"

	"dappco.re/go/core/process/exec"
)

// stdoutLogger prints the lines a Logger receives.
type stdoutLogger struct{}

func (stdoutLogger) Debug(msg string, keyvals ...any) { fmt.Println("debug:", msg, keyvals) }
func (stdoutLogger) Error(msg string, keyvals ...any) { fmt.Println("error:", msg) }

// Command runs a program as os/exec does and tells a Logger about it; a
// failure's error names the command line.
func ExampleCommand() {
	ctx := context.Background()
	out, err := exec.Command(ctx, "echo", "hello").
		WithLogger(stdoutLogger{}).
		Output()
	fmt.Printf("%q %v\n", out, err)

	err = exec.Command(ctx, "sh", "-c", "exit 2").
		WithLogger(stdoutLogger{}).
		Run()
	fmt.Println(err)
	// Output:
	// debug: executing command [cmd echo args [hello] dir ]
	// "hello\n" <nil>
	// debug: executing command [cmd sh args [-c exit 2] dir ]
	// error: command failed
	// exec sh -c "exit 2": exit status 2
}

// RunQuiet shows nothing unless the command fails; then its output is in
// the error.
func ExampleRunQuiet() {
	err := exec.RunQuiet(context.Background(), "sh", "-c", "echo 'disk full' >&2; exit 1")
	fmt.Println(err)
	// Output: exec sh -c "echo 'disk full' >&2; exit 1": exit status 1: disk full
}
