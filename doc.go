// Package process runs and manages external processes for Core applications.
//
// Register the service with a Core to give the application process
// capability through named actions (process.run, process.start,
// process.kill, …):
//
//	c := core.New(core.WithService(process.Register))
//	c.ServiceStartup(ctx, nil)
//	r := c.Process().Run(ctx, "git", "log")
//
// Other services dispatch those actions through Core and never import this
// package; a Core without the service has no process capability (every
// call returns OK false). The *Service also works standalone through its
// Go methods, without ServiceStartup:
//
//	svc := process.Register(core.New()).Value.(*process.Service)
//	r := svc.RunWithOptions(ctx, process.RunOptions{Command: "go", Args: []string{"vet", "./..."}})
//
// # Output
//
// Run (and process.run) returns the complete output, stdout and stderr
// through one pipe as 2>&1, in the order the child wrote it, like
// exec.Cmd's CombinedOutput. With RunOptions.OutputLimit, a process that
// writes more fails with an *OutputTruncatedError, which matches
// ErrOutputTruncated and holds the newest OutputLimit bytes; output is
// never cut silently. Start (and process.start) keeps stdout and stderr on
// separate pipes and retains the newest Options.BufferSize bytes (1 MiB by
// default), read with Output; the buffer grows as output arrives, so an
// idle process costs none. After Run has returned, the process table too
// keeps only the newest BufferSize bytes of its output.
//
// To follow one process, set RunOptions.Stdout and Stderr (writers that get
// the bytes as they arrive) or RunOptions.OnOutput (called with every line
// of that process only). They are attached before the child starts, so
// nothing is missed, and have received everything by the time Wait, Done
// or Run returns. Every line is also broadcast to the whole Core as an
// ActionProcessOutput.
//
// # Actions
//
// OnStartup registers these actions. Each takes core.Options and returns a
// core.Result; the arrows show the Value of an OK result.
//
//	process.run     command, args, dir, env, timeout, grace, detach, pty,
//	                rows, cols, input, outputLimit
//	                → string: the complete combined output
//	process.start   the same keys → string: the process ID
//	process.kill    id or pid → nil (SIGKILL to the whole group)
//	process.signal  id or pid, signal → nil
//	process.list    running (optional) → []ProcessInfo, in start order
//	process.get     id → ProcessInfo
//	process.output  id → string: the output retained so far
//	process.wait    id → ProcessInfo, once the process has ended; fails
//	                when the caller's context ends first
//	process.input   id, input, close (input or close required) → nil
//	process.resize  id, rows, cols (all required) → nil
//	process.up      units ([]UnitSpec, or []any of UnitSpec or *UnitSpec) or
//	                unit (UnitSpec or *UnitSpec) → []UnitInfo, once they
//	                are ready
//	process.down    names (optional []string; none is every unit) → nil,
//	                once they have stopped
//	process.restart name → UnitInfo, once it is ready again
//	process.units   no options → []UnitInfo, in the order added
//	process.unit    name → UnitInfo
//
// The last five manage units: named processes the service keeps alive,
// restarting them with backoff, checking them with probes and ordering
// them by their dependencies (UnitSpec, Service.Up).
//
// The options:
//
//   - command (required), dir, input, id: string. command is a path or a
//     name looked up in PATH; dir is the working directory; input is written
//     to stdin, which is then closed (for process.input, written to the
//     running process; close: true then ends its input, as CloseStdin
//     does).
//   - args, env: []string, or []any whose items are all strings. env items
//     ("KEY=value") are added to this program's environment.
//   - timeout, grace: a time.Duration, or a Go duration string such as "5s"
//     or "250ms". A bare number is refused, with a message showing the
//     string forms: 5 is five seconds to a person and five milliseconds or
//     nanoseconds to code. timeout stops the process gracefully once it has
//     run that long; grace is its time between SIGTERM and SIGKILL.
//   - detach, pty, running, close: bool. rows, cols: integer 1–65535 (24×80
//     when not given). outputLimit: integer ≥ 0, bytes, as
//     RunOptions.OutputLimit (0: no bound for process.run). pid: integer ≥ 2.
//     Integers may be of any Go integer type, or a whole float64 as JSON
//     decoding gives.
//   - signal: a name ("SIGTERM", "TERM", "term") or a number.
//
// Every action refuses a key it does not know, naming the closest known one
// (process.start: unknown option "arg" (did you mean "args"?)), before
// anything else is checked. The framework's own "_input" key, which a
// task's step receives from the one before, is allowed and ignored. A
// missing required key, a value of another type, an empty command, an
// unknown ID, a PID of 0 or 1 or of this program's own threads, or an id
// with a pid that is not that process's gives Result{OK: false, Value:
// error}, the message naming the action and the key. Handlers never panic.
//
// process.run of a command that exits non-zero, or is ended by a signal,
// gives OK false and an *ExitError{Code, Signal, Output}, so the caller can
// still show what it printed; over outputLimit, an *OutputTruncatedError. A
// command that cannot start (not found, not executable, missing directory)
// is a plain error naming the command. Once OnShutdown has begun, every
// start fails with an error matching ErrShuttingDown.
//
// # Events
//
// The service broadcasts with c.ACTION, for every process:
// ActionProcessStarted once it has started (before Start returns), one
// ActionProcessOutput per line (in order, without the line terminator;
// Stream stdout, stderr or pty; a Run's single pipe is stdout),
// ActionProcessKilled when it ended because this service stopped it, and
// ActionProcessExited last, once all its output has been delivered. The
// events of one process are delivered on one goroutine at a time, so a
// slow handler slows only its own process. Wait, Done and process.wait
// report the end only after the exit event, so whoever has seen the end
// has seen every event. A handler may call back into the service, even to
// wait for the process it is told about. Every change of a unit's state
// is broadcast as an ActionUnitChanged, in the order the changes happened.
//
// # Lifetime and parent death
//
// Every child leads its own process group and, where a writable cgroup v2
// hierarchy exists, runs in a cgroup of its own (Options.Containment), so
// Kill, Shutdown, a timeout, the end of the start context and OnShutdown
// reach every descendant: SIGTERM and SIGCONT, the grace period, then
// SIGKILL. A process started with a context is stopped when the context
// ends, unless it is Detach'ed. A child that is not detached gets a
// parent-death signal and dies when this program dies, even by SIGKILL; a
// detached one survives both its context and this program, and writes its
// output to a file (ProcessInfo.OutputFile). OnShutdown refuses new
// starts, stops every process and bounds itself by the grace periods,
// whatever context it is given.
//
// The record follows the kernel: before any signal is sent, the kernel is
// asked whether the child has exited, so a process that exited on its own
// is never reported killed, and a reaped PID is never signalled again.
//
// # Platforms
//
// Processes run only on Linux 5.4 or later (pidfds, epoll, the
// parent-death signal). Elsewhere the package builds, and every start
// fails with an error matching errors.ErrUnsupported.
package process
