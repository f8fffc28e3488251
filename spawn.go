package process

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	"dappco.re/go/core/process/internal/output"
	"dappco.re/go/core/process/internal/proc"
	"dappco.re/go/core/process/internal/watch"
)

// spawn starts the child described by opts and registers it. Nothing is
// registered and nothing is left running or open when it fails.
//
// For run, spawn returns once the process has ended: it supervises the
// process on the calling goroutine, whose thread — locked meanwhile — forks
// the child, so the parent-death signal is tied to a thread that outlives
// the child. Otherwise the child keeps a stdin pipe for SendInput, is forked
// from the dedicated forking thread and is supervised in the background.
func (s *Service) spawn(ctx context.Context, opts RunOptions, run bool) (*Process, error) {
	if run {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	p, sup, err := s.launch(ctx, opts, run)
	if err != nil {
		return nil, fmt.Errorf("process: start %s: %w", opts.Command, err)
	}
	p.bindLifetime(ctx, opts)
	s.table.add(p)
	s.broadcast(ActionProcessStarted{ID: p.ID, Command: p.Command, Args: p.Args, Dir: p.Dir, PID: p.PID})
	// A run's terminal gets its end of input at once, as a pipe would.
	if opts.Input != "" || (opts.PTY && run) {
		go p.feedInput(opts.Input)
	}
	if run {
		sup.run()
	} else {
		go sup.run()
	}
	return p, nil
}

// launch forks the child with its streams connected and returns it with
// its supervisor, ready to run.
func (s *Service) launch(ctx context.Context, opts RunOptions, run bool) (*Process, *supervisor, error) {
	cmd, err := command(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	mode := watch.Park
	if run {
		mode = watch.Block // the caller holds its thread anyway
	}
	set, err := watch.New(mode)
	if err != nil {
		return nil, nil, fmt.Errorf("supervise: %w", err)
	}
	io, err := openStdio(cmd, opts, !run)
	if err != nil {
		set.Close()
		return nil, nil, err
	}
	if run {
		err = proc.StartHere(cmd, !opts.Detach)
	} else {
		err = proc.Start(cmd, !opts.Detach)
	}
	io.closeChild()
	if err != nil {
		io.closeParent()
		set.Close()
		return nil, nil, err
	}
	p := s.newProcess(opts, cmd, io)
	sup, err := s.supervisor(p, set, io)
	if err != nil {
		return nil, nil, fmt.Errorf("supervise: %w", err)
	}
	return p, sup, nil
}

// supervisor sets up the supervision of a started child. If that fails, the
// child is killed and reaped and every descriptor closed: nothing leaks.
func (s *Service) supervisor(p *Process, set *watch.Set, io *stdio) (*supervisor, error) {
	exitFD, err := proc.ExitFD(p.cmd)
	var sup *supervisor
	if err == nil {
		sup, err = newSupervisor(p, set, exitFD, io.outputs, s.broadcast, s.table.retire)
		if err != nil {
			syscall.Close(exitFD)
		}
	}
	if err != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
		io.closeParent()
		set.Close()
		return nil, err
	}
	return sup, nil
}

// command builds the exec.Cmd for opts, failing fast on what would make
// the start fail: an empty or missing command, a missing directory, or a
// context that has already ended.
func command(ctx context.Context, opts RunOptions) (*exec.Cmd, error) {
	if opts.Command == "" {
		return nil, fmt.Errorf("command is empty")
	}
	if !opts.Detach {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command(opts.Command, opts.Args...)
	if cmd.Err != nil {
		return nil, cmd.Err
	}
	if err := checkDir(opts.Dir); err != nil {
		return nil, err
	}
	cmd.Dir = opts.Dir
	if len(opts.Env) > 0 {
		cmd.Env = append(os.Environ(), opts.Env...)
	}
	return cmd, nil
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

// newProcess builds the Process for a started child.
func (s *Service) newProcess(opts RunOptions, cmd *exec.Cmd, io *stdio) *Process {
	p := &Process{
		ID:        newID(),
		Command:   opts.Command,
		Args:      opts.Args,
		Dir:       opts.Dir,
		Env:       opts.Env,
		StartedAt: time.Now(),
		PID:       cmd.Process.Pid,
		pty:       opts.PTY,
		grace:     s.gracePeriod(opts.GracePeriod),
		cmd:       cmd,
		exited:    make(chan struct{}),
		done:      make(chan struct{}),
		status:    StatusRunning,
		stdin:     io.input,
	}
	if !opts.DisableCapture {
		p.capture = output.NewRing(s.bufferSize())
	}
	return p
}

// bindLifetime arranges for the process to be stopped when its timeout
// passes or, unless it is detached, when ctx ends. The supervisor releases
// those arrangements once the process has ended.
func (p *Process) bindLifetime(ctx context.Context, opts RunOptions) {
	if opts.Timeout > 0 {
		t := time.AfterFunc(opts.Timeout, func() { _ = p.Shutdown() })
		p.release = append(p.release, t.Stop)
	}
	if !opts.Detach && ctx.Done() != nil {
		p.release = append(p.release, context.AfterFunc(ctx, func() { _ = p.Shutdown() }))
	}
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
