package exec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"strconv"
	"strings"
)

// Options are where a command runs and what it reads and writes.
type Options struct {
	// Dir is the working directory; empty means the caller's.
	Dir string
	// Env is appended to the caller's environment ("KEY=value"); a key
	// given here replaces the caller's value.
	Env []string
	// Stdin is the command's standard input; nil means none (/dev/null).
	Stdin io.Reader
	// Stdout and Stderr receive the command's output; nil discards it.
	Stdout, Stderr io.Writer
}

// Cmd is a command to run once, built with Command and the With methods.
type Cmd struct {
	ctx    context.Context
	name   string
	args   []string
	opts   Options
	logger Logger
}

// Command returns a Cmd that runs name with args. Ending ctx kills the
// command; a nil ctx means context.Background(). The name is looked up in
// PATH when it holds no slash, as os/exec does.
func Command(ctx context.Context, name string, args ...string) *Cmd {
	if ctx == nil {
		ctx = context.Background()
	}
	return &Cmd{ctx: ctx, name: name, args: args}
}

// WithDir sets the working directory and returns c.
func (c *Cmd) WithDir(dir string) *Cmd { c.opts.Dir = dir; return c }

// WithEnv sets variables added to the caller's environment and returns c.
func (c *Cmd) WithEnv(env []string) *Cmd { c.opts.Env = env; return c }

// WithStdin sets the standard input and returns c.
func (c *Cmd) WithStdin(r io.Reader) *Cmd { c.opts.Stdin = r; return c }

// WithStdout sets where the standard output goes and returns c.
func (c *Cmd) WithStdout(w io.Writer) *Cmd { c.opts.Stdout = w; return c }

// WithStderr sets where the standard error goes and returns c.
func (c *Cmd) WithStderr(w io.Writer) *Cmd { c.opts.Stderr = w; return c }

// WithLogger sets the Logger told about this command and returns c; nil
// means DefaultLogger().
func (c *Cmd) WithLogger(l Logger) *Cmd { c.logger = l; return c }

// Run runs the command to completion. Its error names the command line
// and wraps os/exec's (an *os/exec.ExitError for a non-zero exit).
func (c *Cmd) Run() error {
	return c.run(c.opts.Stdout, c.opts.Stderr)
}

// Output runs the command and returns its standard output. When it fails,
// the error also holds what it wrote to standard error. Output with
// WithStdout set is an error.
func (c *Cmd) Output() ([]byte, error) {
	if c.opts.Stdout != nil {
		return nil, c.wrap(errors.New("Stdout already set"))
	}
	var stdout, stderr bytes.Buffer
	errw := io.Writer(&stderr)
	if c.opts.Stderr != nil {
		errw = io.MultiWriter(&stderr, c.opts.Stderr)
	}
	err := c.run(&stdout, errw)
	if err != nil {
		err = withOutput(err, stderr.Bytes())
	}
	return stdout.Bytes(), err
}

// CombinedOutput runs the command and returns its standard output and
// standard error, interleaved as written. CombinedOutput with WithStdout
// or WithStderr set is an error.
func (c *Cmd) CombinedOutput() ([]byte, error) {
	if c.opts.Stdout != nil || c.opts.Stderr != nil {
		return nil, c.wrap(errors.New("Stdout or Stderr already set"))
	}
	var out bytes.Buffer
	err := c.run(&out, &out)
	return out.Bytes(), err
}

// RunQuiet runs name with args and shows nothing: its output goes only
// into the error, when it fails. A nil ctx means context.Background().
func RunQuiet(ctx context.Context, name string, args ...string) error {
	out, err := Command(ctx, name, args...).CombinedOutput()
	if err != nil {
		return withOutput(err, out)
	}
	return nil
}

func (c *Cmd) run(stdout, stderr io.Writer) error {
	log := c.logger
	if log == nil {
		log = DefaultLogger()
	}
	log.Debug("executing command", "cmd", c.name, "args", c.args, "dir", c.opts.Dir)
	cmd := osexec.CommandContext(c.ctx, c.name, c.args...)
	cmd.Dir = c.opts.Dir
	if len(c.opts.Env) > 0 {
		cmd.Env = append(os.Environ(), c.opts.Env...)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.opts.Stdin, stdout, stderr
	if err := cmd.Run(); err != nil {
		err = c.wrap(err)
		log.Error("command failed", "cmd", c.name, "args", c.args, "dir", c.opts.Dir, "err", err)
		return err
	}
	return nil
}

// wrap names the command line in err.
func (c *Cmd) wrap(err error) error {
	return fmt.Errorf("exec %s: %w", c.commandLine(), err)
}

// commandLine is the command and its arguments, each quoted when it needs
// to be.
func (c *Cmd) commandLine() string {
	words := make([]string, 0, 1+len(c.args))
	for _, w := range append([]string{c.name}, c.args...) {
		if w == "" || strings.ContainsAny(w, " \t\n\"'\\$`") {
			w = strconv.Quote(w)
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// outputError is a command's error with the output it wrote.
type outputError struct {
	err    error
	output string
}

func (e *outputError) Error() string { return e.err.Error() + ": " + e.output }
func (e *outputError) Unwrap() error { return e.err }

// withOutput adds output, trimmed, to err, unless there is none.
func withOutput(err error, output []byte) error {
	text := strings.TrimSpace(string(output))
	if text == "" {
		return err
	}
	return &outputError{err: err, output: text}
}
