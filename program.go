package process

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ErrProgramNotFound reports a Program whose Name is not an executable
// found in PATH (or, for a name holding a slash, not an executable file).
var ErrProgramNotFound = errors.New("program not found")

// Program is an external program found by name.
type Program struct {
	// Name is the program's name (looked up in PATH) or path.
	Name string
	// Path is the executable's path, set by Find.
	Path string
}

// Find looks Name up as exec.LookPath does and sets Path. An empty Name,
// or one that is not found, is an error matching ErrProgramNotFound.
func (p *Program) Find() error {
	if p.Name == "" {
		return fmt.Errorf("program: empty name: %w", ErrProgramNotFound)
	}
	path, err := exec.LookPath(p.Name)
	if err != nil {
		return fmt.Errorf("program %q: %w: %w", p.Name, ErrProgramNotFound, err)
	}
	p.Path = path
	return nil
}

// Run runs the program with args in the current directory and returns its
// combined stdout and stderr with leading and trailing white space
// trimmed. See RunDir.
func (p *Program) Run(ctx context.Context, args ...string) (string, error) {
	return p.RunDir(ctx, "", args...)
}

// RunDir runs the program with args in dir (empty: the current directory)
// and returns its combined stdout and stderr, trimmed. It runs Path when
// Find has set it, else Name. A failure is an error naming the command
// line that also holds the trimmed output; ctx ending kills the program.
func (p *Program) RunDir(ctx context.Context, dir string, args ...string) (string, error) {
	name := p.Path
	if name == "" {
		name = p.Name
	}
	if name == "" {
		return "", fmt.Errorf("program: empty name: %w", ErrProgramNotFound)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	trimmed := strings.TrimSpace(string(out))
	if err != nil {
		line := strings.Join(append([]string{name}, args...), " ")
		if errors.Is(err, exec.ErrNotFound) {
			err = fmt.Errorf("%w: %w", ErrProgramNotFound, err)
		}
		if trimmed == "" {
			return "", fmt.Errorf("program %q: %w", line, err)
		}
		return trimmed, fmt.Errorf("program %q: %w: %s", line, err, trimmed)
	}
	return trimmed, nil
}
