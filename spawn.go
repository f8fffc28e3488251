package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"dappco.re/go/core/process/internal/proc"
	"dappco.re/go/core/process/internal/watch"
)

// launchMode says how a process is started and followed.
type launchMode int

const (
	// background is Start's mode: the child is forked from the forking
	// thread, keeps a stdin pipe for SendInput, and is followed by a
	// goroutine of its own.
	background launchMode = iota
	// foreground is Run's mode: the child is forked and followed on the
	// caller's goroutine, locked to its thread until the child is done, so
	// the parent-death signal is tied to a thread that outlives the child.
	foreground
)

// keepsStdin reports whether the child gets a stdin pipe even without
// input to feed it.
func (m launchMode) keepsStdin() bool { return m == background }

// watchMode is how the supervisor waits: a foreground caller holds its
// thread anyway.
func (m launchMode) watchMode() watch.Mode {
	if m == foreground {
		return watch.Block
	}
	return watch.Park
}

// start forks the child. A start waiting for a forking thread is
// abandoned when ctx ends (a detached child needs none).
func (m launchMode) start(ctx context.Context, prog program, attr *syscall.ProcAttr, dieWithParent bool) (proc.Child, error) {
	if m == foreground {
		return proc.StartHere(prog.path, prog.argv, attr, dieWithParent)
	}
	return proc.Start(ctx, prog.path, prog.argv, attr, dieWithParent)
}

// spawn starts the child described by opts and registers it. Nothing is
// registered and nothing is left running or open when it fails. In the
// foreground mode it returns once the process is done.
func (s *Service) spawn(ctx context.Context, opts RunOptions, mode launchMode) (*Process, error) {
	if err := s.table.admit(); err != nil {
		return nil, fmt.Errorf("process: start %s: %w", opts.Command, err)
	}
	if mode == foreground {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	p, sup, err := s.launch(ctx, opts, mode)
	s.table.admitted(p)
	if err != nil {
		return nil, fmt.Errorf("process: start %s: %w", opts.Command, err)
	}
	p.bindLifetime(ctx, opts)
	p.deliver(s.broadcast, ActionProcessStarted{ID: p.ID, Command: p.Command, Args: p.Args, Dir: p.Dir, PID: p.PID})
	// A run's terminal gets its end of input at once, as a pipe would.
	if opts.Input != "" || (opts.PTY && mode == foreground) {
		go p.feedInput(opts.Input)
	}
	if mode == background {
		go sup.run()
		return p, nil
	}
	for _, stopping := range sup.run() {
		<-stopping
	}
	return p, nil
}

// launch forks the child with its streams connected and returns it with
// its supervisor, ready to run.
func (s *Service) launch(ctx context.Context, opts RunOptions, mode launchMode) (*Process, *supervisor, error) {
	id := newID()
	for s.table.has(id) { // an adopted process's ID, from an earlier instance
		id = newID()
	}
	prog, err := resolve(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	var outputFile string
	if opts.Detach {
		if outputFile, err = s.outputPath(id); err != nil {
			return nil, nil, err
		}
	}
	set, err := watch.New(mode.watchMode())
	if err != nil {
		return nil, nil, fmt.Errorf("supervise: %w", err)
	}
	io, err := openStdio(opts, mode, outputFile)
	if err != nil {
		set.Close()
		return nil, nil, err
	}
	held, err := s.hold(id, opts.Detach, &prog, io.sys)
	if err != nil {
		io.closeChild()
		io.closeParent()
		set.Close()
		removeOutputFile(outputFile)
		return nil, nil, err
	}
	attr := &syscall.ProcAttr{Dir: prog.dir, Env: prog.env, Files: io.files(), Sys: io.sys}
	child, err := mode.start(ctx, prog, attr, !opts.Detach)
	held.started()
	io.closeChild()
	if err != nil {
		held.discard()
		io.closeParent()
		set.Close()
		removeOutputFile(outputFile)
		return nil, nil, err
	}
	p := s.newProcess(id, opts, mode, child, io, outputFile)
	p.group.cgroup, p.group.marker = held.cgroup, held.marker
	sup, err := newSupervisor(p, set, io.outputs, !s.Options().DisableOutputEvents, s.broadcast, s.table.retire)
	if err != nil {
		proc.Discard(child)
		held.discard()
		io.closeParent()
		set.Close()
		removeOutputFile(outputFile)
		return nil, nil, fmt.Errorf("supervise: %w", err)
	}
	return p, sup, nil
}

// removeOutputFile removes the output file of a process that did not start.
func removeOutputFile(path string) {
	if path != "" {
		os.Remove(path)
	}
}

// program is what to execute.
type program struct {
	path string   // the executable
	argv []string // its arguments, the command as given first
	env  []string // its whole environment
	dir  string
}

// resolve works out what to execute for opts, failing fast on what would
// make the start fail: a system other than Linux, an empty or missing
// command, a missing directory, PTY with Detach, or a context that has
// already ended.
func resolve(ctx context.Context, opts RunOptions) (program, error) {
	if err := platformError(runtime.GOOS); err != nil {
		return program{}, err
	}
	switch {
	case opts.Command == "":
		return program{}, fmt.Errorf("command is empty")
	case opts.PTY && opts.Detach:
		return program{}, errors.New("pty cannot be combined with detach: a terminal hangs up its process when this program exits")
	}
	if !opts.Detach {
		if err := ctx.Err(); err != nil {
			return program{}, err
		}
	}
	path := opts.Command
	if !strings.Contains(path, "/") {
		found, err := exec.LookPath(path)
		if err != nil {
			return program{}, err
		}
		path = found
	}
	if err := checkDir(opts.Dir); err != nil {
		return program{}, err
	}
	return program{
		path: path,
		argv: append([]string{opts.Command}, opts.Args...),
		env:  mergeEnv(os.Environ(), opts.Env),
		dir:  opts.Dir,
	}, nil
}

// mergeEnv returns base with extra added; a key in extra replaces the same
// key in base, keeping its place.
func mergeEnv(base, extra []string) []string {
	if len(extra) == 0 {
		return base
	}
	env := make([]string, 0, len(base)+len(extra))
	index := make(map[string]int, len(base)+len(extra))
	for _, kv := range append(base, extra...) {
		key, _, _ := strings.Cut(kv, "=")
		if i, ok := index[key]; ok {
			env[i] = kv
			continue
		}
		index[key] = len(env)
		env = append(env, kv)
	}
	return env
}

// checkDir reports a working directory the child could not enter, naming
// it (the error of a failed chdir in the child names only the command).
func checkDir(dir string) error {
	if dir == "" {
		return nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("working directory %s: not a directory", dir)
	}
	return nil
}

// outputPath returns where the output of detached process id goes,
// creating the directory if need be.
func (s *Service) outputPath(id string) (string, error) {
	dir := s.Options().OutputDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("go-process-%d", os.Getuid()))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("output directory: %w", err)
	}
	return filepath.Join(dir, id+".log"), nil
}

// newProcess builds the Process for a child started in mode.
func (s *Service) newProcess(id string, opts RunOptions, mode launchMode, child proc.Child, io *stdio, outputFile string) *Process {
	p := &Process{
		ID:         id,
		Command:    opts.Command,
		Args:       opts.Args,
		Dir:        opts.Dir,
		Env:        opts.Env,
		StartedAt:  time.Now(),
		PID:        child.PID,
		pty:        opts.PTY,
		grace:      s.gracePeriod(opts.GracePeriod),
		outputFile: outputFile,
		exited:     make(chan struct{}),
		done:       make(chan struct{}),
		group:      group{pidfd: child.PidFD},
		detached:   opts.Detach,
		contained:  s.containment,
		stdin:      io.input,
	}
	p.capture = s.newCapture(opts, mode)
	return p
}

// binding is a stop armed by a timeout or by the start context.
type binding struct {
	disarm  func() bool   // false once the stop has begun
	stopped chan struct{} // closed when a stop that has begun returns
}

// bindLifetime arranges for the process to be stopped when its timeout
// passes or, unless it is detached, when ctx ends. The supervisor disarms
// those arrangements once the process has ended.
func (p *Process) bindLifetime(ctx context.Context, opts RunOptions) {
	if opts.Timeout > 0 {
		p.arm(func(stop func()) func() bool { return time.AfterFunc(opts.Timeout, stop).Stop })
	}
	if !opts.Detach && ctx.Done() != nil {
		p.arm(func(stop func()) func() bool { return context.AfterFunc(ctx, stop) })
	}
}

// arm schedules a graceful stop with schedule, which returns the disarming
// function.
func (p *Process) arm(schedule func(stop func()) func() bool) {
	b := &binding{stopped: make(chan struct{})}
	b.disarm = schedule(func() {
		defer close(b.stopped)
		_ = p.stop(context.Background(), p.grace)
	})
	p.bindings = append(p.bindings, b)
}

// disarm cancels the stops not yet begun and returns those under way.
func (p *Process) disarm() []<-chan struct{} {
	var stopping []<-chan struct{}
	for _, b := range p.bindings {
		if !b.disarm() {
			stopping = append(stopping, b.stopped)
		}
	}
	return stopping
}

// feedInput writes input to stdin and then signals end of input. A child
// that exits without reading it is not an error. On a terminal, a final
// partial line needs its own end-of-file character before the one that
// ends the input, as when a person types Ctrl-D twice.
func (p *Process) feedInput(input string) {
	if input != "" {
		if p.pty && !strings.HasSuffix(input, "\n") {
			input += string(rune(ctrlD))
		}
		if err := p.SendInput(input); err != nil {
			return
		}
	}
	_ = p.CloseStdin()
}
