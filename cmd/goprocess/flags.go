package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// socketFlag adds --socket to fs.
func socketFlag(fs *flag.FlagSet) *string {
	return fs.String("socket", "", "the API's unix socket (default goprocess.sock in $XDG_RUNTIME_DIR, else the working directory)")
}

// socketPath is the socket to use: the flag's value, or the default.
func socketPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "goprocess.sock")
	}
	return "goprocess.sock"
}

// newFlagSet returns a flag set for the command name whose usage goes to
// stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: goprocess %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args with fs, allowing flags after the positional
// arguments ("logs web -f"), and returns the positional ones. done is
// true when the caller should return status at once: on -h (0) or a
// usage error (2).
func parse(fs *flag.FlagSet, args []string) (positional []string, status int, done bool) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, true
			}
			return nil, exitUsage, true
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), exitOK, false // all after "--" is positional
		}
		args = rest
		if len(args) == 0 {
			return positional, exitOK, false
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseExactly is parse for a command that takes want positional
// arguments: none, or one unit name. Any other number is a usage error.
func parseExactly(fs *flag.FlagSet, args []string, stderr io.Writer, want int) (positional []string, status int, done bool) {
	pos, status, done := parse(fs, args)
	switch {
	case done:
		return nil, status, true
	case want == 0 && len(pos) > 0:
		return nil, usageError(fs, stderr, "unexpected argument %q", pos[0]), true
	case want == 1 && len(pos) != 1:
		return nil, usageError(fs, stderr, "want one unit name, got %d arguments", len(pos)), true
	}
	return pos, exitOK, false
}

// usageError prints msg and the command's usage, and returns exitUsage.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "goprocess %s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return exitUsage
}
