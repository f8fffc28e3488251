package process

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	core "dappco.re/go/core"
)

// registerActions registers the process.* actions with the Core.
func (s *Service) registerActions() {
	c := s.Core()
	c.Action("process.run", s.handleRun)
	c.Action("process.start", s.handleStart)
	c.Action("process.kill", s.handleKill)
	c.Action("process.list", s.handleList)
	c.Action("process.get", s.handleGet)
	c.Action("process.output", s.handleOutput)
	c.Action("process.wait", s.handleWait)
	c.Action("process.signal", s.handleSignal)
	c.Action("process.input", s.handleInput)
	c.Action("process.resize", s.handleResize)
}

// ok and fail build action results.
func ok(v any) core.Result { return core.Result{Value: v, OK: true} }

func fail(err error) core.Result { return core.Result{Value: err} }

// failAction names the action in err, unless it is an *ExitError or an
// *OutputTruncatedError, which callers inspect by type.
func failAction(action string, err error) core.Result {
	var truncated *OutputTruncatedError
	if errors.As(err, &truncated) {
		return fail(truncated)
	}
	var exitErr *ExitError
	if errors.As(err, &exitErr) {
		return fail(exitErr)
	}
	return fail(fmt.Errorf("%s: %w", action, err))
}

// handleRun runs a command to completion: Value is the combined output.
func (s *Service) handleRun(ctx context.Context, opts core.Options) core.Result {
	d := newDecoder("process.run", opts, runKeys...)
	ro := d.runOptions()
	if d.err != nil {
		return fail(d.err)
	}
	r := s.RunWithOptions(ctx, ro)
	if !r.OK {
		return failAction(d.action, r.Value.(error))
	}
	return r
}

// handleStart starts a command: Value is the process ID.
func (s *Service) handleStart(ctx context.Context, opts core.Options) core.Result {
	d := newDecoder("process.start", opts, runKeys...)
	ro := d.runOptions()
	if d.err != nil {
		return fail(d.err)
	}
	p, err := s.spawn(ctx, ro, background)
	if err != nil {
		return failAction(d.action, err)
	}
	return ok(p.ID)
}

// handleKill kills a process by "id", or by "pid" for a process this
// service may not manage.
func (s *Service) handleKill(ctx context.Context, opts core.Options) core.Result {
	return s.signalTarget(newDecoder("process.kill", opts, "id", "pid"), func(*decoder) syscall.Signal { return syscall.SIGKILL })
}

// handleSignal sends "signal" (a name like "SIGTERM" or "TERM", or a
// number) to a process by "id" or "pid".
func (s *Service) handleSignal(ctx context.Context, opts core.Options) core.Result {
	return s.signalTarget(newDecoder("process.signal", opts, "id", "pid", "signal"), func(d *decoder) syscall.Signal {
		d.require("signal")
		v, _ := d.value("signal")
		switch t := v.(type) {
		case nil:
			return 0
		case string:
			sig, err := parseSignal(t)
			if err != nil {
				d.fail("signal", "%v", err)
			}
			return sig
		}
		return syscall.Signal(d.number("signal", 0, 64))
	})
}

// signalTarget decodes "id" or "pid" with d, then the signal, and sends
// it.
func (s *Service) signalTarget(d *decoder, signal func(*decoder) syscall.Signal) core.Result {
	action := d.action
	id := d.text("id")
	pid := d.pid("pid")
	if d.err == nil && id == "" && pid == 0 {
		d.fail("id", "required (or \"pid\")")
	}
	sig := signal(d)
	if d.err != nil {
		return fail(d.err)
	}
	if id == "" {
		if err := s.table.signalPID(pid, sig); err != nil {
			return fail(fmt.Errorf("%s: option \"pid\": %w", action, err))
		}
		return ok(nil)
	}
	p, err := s.lookup(d)
	if err != nil {
		return fail(err)
	}
	if pid != 0 && pid != p.PID {
		return fail(fmt.Errorf("%s: options \"id\" and \"pid\" disagree: process %s has pid %d, not %d", action, p.ID, p.PID, pid))
	}
	if err := p.sendSignal(sig, false); err != nil {
		return failAction(action, err)
	}
	return ok(nil)
}

// handleList lists processes as []ProcessInfo; "running" keeps only the
// running ones.
func (s *Service) handleList(ctx context.Context, opts core.Options) core.Result {
	d := newDecoder("process.list", opts, "running")
	runningOnly := d.flag("running")
	if d.err != nil {
		return fail(d.err)
	}
	procs := s.table.list(runningOnly)
	infos := make([]ProcessInfo, len(procs))
	for i, p := range procs {
		infos[i] = p.Info()
	}
	return ok(infos)
}

// lookup decodes the required "id" and finds the process.
func (s *Service) lookup(d *decoder) (*Process, error) {
	id := d.nonEmpty("id")
	if d.err != nil {
		return nil, d.err
	}
	p, err := s.table.get(id)
	if err != nil {
		return nil, fmt.Errorf("%s: option \"id\": %w", d.action, err)
	}
	return p, nil
}

// handleGet returns the ProcessInfo of "id".
func (s *Service) handleGet(ctx context.Context, opts core.Options) core.Result {
	p, err := s.lookup(newDecoder("process.get", opts, "id"))
	if err != nil {
		return fail(err)
	}
	return ok(p.Info())
}

// handleOutput returns the captured output of "id".
func (s *Service) handleOutput(ctx context.Context, opts core.Options) core.Result {
	p, err := s.lookup(newDecoder("process.output", opts, "id"))
	if err != nil {
		return fail(err)
	}
	return ok(p.Output())
}

// handleWait waits until "id" has ended, or ctx ends, and returns its final
// ProcessInfo.
func (s *Service) handleWait(ctx context.Context, opts core.Options) core.Result {
	p, err := s.lookup(newDecoder("process.wait", opts, "id"))
	if err != nil {
		return fail(err)
	}
	if err := p.awaitEnd(ctx); err != nil {
		return fail(fmt.Errorf("process.wait: %w", err))
	}
	return ok(p.Info())
}

// handleInput writes "input" to the stdin (or terminal) of "id"; with
// "close" it then signals end of input, as CloseStdin does. At least one of
// the two is required.
func (s *Service) handleInput(ctx context.Context, opts core.Options) core.Result {
	d := newDecoder("process.input", opts, "id", "input", "close")
	p, err := s.lookup(d)
	if err != nil {
		return fail(err)
	}
	closeStdin := d.flag("close")
	if !closeStdin {
		d.require("input")
	}
	input := d.text("input")
	if d.err != nil {
		return fail(d.err)
	}
	if input != "" {
		if err := p.SendInput(input); err != nil {
			return failAction(d.action, err)
		}
	}
	if closeStdin {
		if err := p.CloseStdin(); err != nil {
			return failAction(d.action, err)
		}
	}
	return ok(nil)
}

// handleResize sets the terminal size of PTY process "id" to "rows"×"cols".
func (s *Service) handleResize(ctx context.Context, opts core.Options) core.Result {
	d := newDecoder("process.resize", opts, "id", "rows", "cols")
	p, err := s.lookup(d)
	if err != nil {
		return fail(err)
	}
	d.require("rows")
	d.require("cols")
	rows, cols := d.size("rows"), d.size("cols")
	if d.err != nil {
		return fail(d.err)
	}
	if err := p.Resize(rows, cols); err != nil {
		return failAction(d.action, err)
	}
	return ok(nil)
}
