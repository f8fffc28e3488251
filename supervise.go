package process

import (
	"fmt"
	"syscall"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process/internal/output"
	"dappco.re/go/core/process/internal/pipe"
	"dappco.re/go/core/process/internal/proc"
)

// outputDrainDelay is how long, after a process has been reaped, its output
// streams may stay open (held by a grandchild) before reading stops at what
// is already written.
const outputDrainDelay = 250 * time.Millisecond

// readOutputs starts a reader for each output source. The returned channel
// receives once per source when that reader has finished.
func (p *Process) readOutputs(sources []outputSource, notify func(core.Message)) <-chan struct{} {
	done := make(chan struct{}, len(sources))
	for _, src := range sources {
		go p.readOutput(src, notify, done)
	}
	return done
}

// readOutput captures one stream and broadcasts it line by line.
func (p *Process) readOutput(src outputSource, notify func(core.Message), done chan<- struct{}) {
	lines := output.NewLines(0)
	emit := func(line []byte) {
		notify(ActionProcessOutput{ID: p.ID, Line: string(line), Stream: src.stream})
	}
	_ = pipe.Drain(src.file, func(chunk []byte) {
		p.record(chunk)
		lines.Feed(chunk, emit)
	})
	lines.Flush(emit)
	done <- struct{}{}
}

// record appends chunk to the captured output.
func (p *Process) record(chunk []byte) {
	p.mu.Lock()
	if p.capture != nil {
		p.capture.Write(chunk)
	}
	p.mu.Unlock()
}

// awaitEnd reaps the process, lets its output finish and reports the end.
func (p *Process) awaitEnd(sources []outputSource, readersDone <-chan struct{}, notify func(core.Message), ended func(*Process)) {
	if proc.AwaitExit(p.PID) {
		p.markExited()
	}
	waitErr := p.cmd.Wait()
	p.markExited()
	if !p.pty {
		// Unblocks a writer stuck on a pipe nobody reads any more.
		if f := p.takeStdin(); f != nil {
			f.Close()
		}
	}
	awaitReaders(sources, readersDone)
	for _, src := range sources {
		src.file.Close()
	}
	p.takeStdin() // the terminal master, closed above
	for _, release := range p.release {
		release()
	}

	p.finish(waitErr)
	info := p.Info()
	if info.Status == StatusKilled {
		notify(ActionProcessKilled{ID: p.ID, Signal: info.Signal})
	}
	notify(ActionProcessExited{ID: p.ID, ExitCode: info.ExitCode, Duration: info.Duration, Error: p.result()})
	close(p.done)
	ended(p)
}

// awaitReaders waits for every output reader to finish. Readers still
// waiting outputDrainDelay after the exit — a grandchild holds the stream
// open — stop after delivering what is already written.
func awaitReaders(sources []outputSource, done <-chan struct{}) {
	timer := time.NewTimer(outputDrainDelay)
	defer timer.Stop()
	for pending := len(sources); pending > 0; {
		select {
		case <-done:
			pending--
		case <-timer.C:
			for _, src := range sources {
				_ = src.file.SetReadDeadline(time.Now())
			}
		}
	}
}

// markExited records that the process has exited; from now on its PID is
// never signalled again.
func (p *Process) markExited() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.hasExited {
		p.hasExited = true
		close(p.exited)
	}
}

// finish records how the process ended.
func (p *Process) finish(waitErr error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endedAt = time.Now()
	state := p.cmd.ProcessState
	if state == nil {
		p.status = StatusFailed
		p.exitCode = -1
		p.waitErr = fmt.Errorf("process %s: wait: %w", p.ID, waitErr)
		return
	}
	p.exitCode = state.ExitCode()
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		p.signal = signalName(ws.Signal())
	}
	p.status = StatusExited
	if p.stopSignal != "" {
		p.status = StatusKilled
		if p.signal == "" {
			p.signal = p.stopSignal
		}
	}
}
