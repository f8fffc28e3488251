package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PTY mode: the child runs on a pseudo-terminal (docs/architecture.md, "PTY").

const (
	// ptyDeadline bounds how long a test waits for a process that should end
	// promptly. It is a watchdog, not a timing assertion.
	ptyDeadline = 15 * time.Second
	// ptyFinal is the final output, without a newline, of the final-output
	// checks.
	ptyFinal = "final-no-newline"
)

// ptyAllTTY prints whether stdin, stdout and stderr are all terminals.
const ptyAllTTY = `if test -t 0 && test -t 1 && test -t 2; then echo all-tty; else echo not-all-tty; fi`

// ptyOutputLines splits captured terminal output into lines, dropping the
// "\r" of the terminal's "\r\n".
func ptyOutputLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		lines = append(lines, strings.TrimSuffix(l, "\r"))
	}
	return lines
}

// ptyWaitLine waits until p's captured output has a line matching re and
// returns the first match's submatches.
func ptyWaitLine(t *testing.T, p *Process, re *regexp.Regexp, within time.Duration) []string {
	t.Helper()
	var match []string
	require.Eventually(t, func() bool {
		for _, l := range ptyOutputLines(p.Output()) {
			if m := re.FindStringSubmatch(l); m != nil {
				match = m
				return true
			}
		}
		return false
	}, within, 5*time.Millisecond, "no line matching %s in output %q", re, p.Output())
	return match
}

// ptyWaitRecorded waits until the recorder holds an output line of id
// equal to want.
func ptyWaitRecorded(t *testing.T, rec *recorder, id, want string, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, l := range rec.lines(id) {
			if l == want {
				return true
			}
		}
		return false
	}, within, 5*time.Millisecond, "no output line %q; lines so far: %q", want, rec.lines(id))
}

// ptyStat reads the process group, session and controlling terminal of pid
// from /proc/<pid>/stat (fields 5, 6 and 7).
func ptyStat(t *testing.T, pid int) (pgrp, session, ttyNr int) {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	require.NoError(t, err)
	s := string(data)
	end := strings.LastIndexByte(s, ')')
	require.Positive(t, end, "stat of %d: %q", pid, s)
	fields := strings.Fields(s[end+1:])
	require.GreaterOrEqual(t, len(fields), 5, "stat of %d: %q", pid, s)
	// fields[0] is the state (field 3), so field n is fields[n-3].
	pgrp, err = strconv.Atoi(fields[2])
	require.NoError(t, err)
	session, err = strconv.Atoi(fields[3])
	require.NoError(t, err)
	ttyNr, err = strconv.Atoi(fields[4])
	require.NoError(t, err)
	return pgrp, session, ttyNr
}

// ptyStart starts a process through the process.start action and returns
// it, with PID cleanup registered.
func ptyStart(t *testing.T, c *core.Core, svc *Service, opts ...core.Option) *Process {
	t.Helper()
	r := c.Action("process.start").Run(context.Background(), core.NewOptions(opts...))
	require.True(t, r.OK, "process.start: %v", r.Value)
	p, err := svc.Get(r.Value.(string))
	require.NoError(t, err)
	killOnCleanup(t, p.PID)
	return p
}

func TestPTY_Child_SeesTerminalOnAllStreams(t *testing.T) {
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", ptyAllTTY}, PTY: true})
	waitDone(t, p, ptyDeadline)
	require.NoError(t, p.Wait())

	assert.Equal(t, "all-tty\r\n", p.Output(), "the terminal turns \\n into \\r\\n")
	assert.True(t, p.Info().PTY)
	require.Equal(t, []string{"all-tty"}, rec.lines(p.ID))
	for _, m := range rec.forID(p.ID) {
		if e, ok := m.(ActionProcessOutput); ok {
			assert.Equal(t, StreamPTY, e.Stream)
			assert.NotContains(t, e.Line, "\r")
		}
	}
}

func TestPTY_WithoutPTY_ChildSeesNoTerminal(t *testing.T) {
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", ptyAllTTY}})
	waitDone(t, p, ptyDeadline)
	require.NoError(t, p.Wait())

	assert.Equal(t, "not-all-tty\n", p.Output())
	assert.False(t, p.Info().PTY)
	require.Equal(t, []string{"not-all-tty"}, rec.lines(p.ID))
	for _, m := range rec.forID(p.ID) {
		if e, ok := m.(ActionProcessOutput); ok {
			assert.Equal(t, StreamStdout, e.Stream)
		}
	}
}

func TestPTY_RunAction_WithPTYAndInput(t *testing.T) {
	c, _ := newTestService(t, Options{})

	r := c.Action("process.run").Run(context.Background(), core.NewOptions(
		core.Option{Key: "command", Value: "sh"},
		core.Option{Key: "args", Value: []any{"-c", ptyAllTTY}},
		core.Option{Key: "pty", Value: true},
	))
	require.True(t, r.OK, "process.run: %v", r.Value)
	assert.Equal(t, "all-tty\r\n", r.Value)

	// The input is typed at the terminal, which echoes it, then Ctrl-D.
	r = c.Action("process.run").Run(context.Background(), core.NewOptions(
		core.Option{Key: "command", Value: "sh"},
		core.Option{Key: "args", Value: []any{"-c", "read line; echo got:$line"}},
		core.Option{Key: "pty", Value: true},
		core.Option{Key: "input", Value: "hello\n"},
	))
	require.True(t, r.OK, "process.run: %v", r.Value)
	assert.Contains(t, ptyOutputLines(r.Value.(string)), "got:hello")
}

// Run's stdin is its Input and then end of file; on a terminal the end of
// file must still come when the input does not end a line (a terminal
// needs a second Ctrl-D then) or when there is no input at all.
func TestPTY_Run_InputThenEndOfFile(t *testing.T) {
	_, svc := newTestService(t, Options{})
	for _, tc := range []struct {
		name, input, want string
	}{
		{"WholeLine", "abc\n", "abc"},
		{"PartialLine", "abc", "abc"},
		{"NoInput", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			start := time.Now()
			r := svc.RunWithOptions(ctx, RunOptions{
				Command: "sh", Args: []string{"-c", `cat >/dev/null; echo eof-seen`},
				PTY: true, Input: tc.input, GracePeriod: 100 * time.Millisecond,
			})
			require.True(t, r.OK, "cat never saw end of file after %v: %v", time.Since(start), r.Value)
			// A partial line of input stays on the screen: "abceof-seen".
			assert.Contains(t, r.Value, "eof-seen")
			if tc.want != "" {
				assert.Contains(t, r.Value, tc.want, "the terminal echoes the input")
			}
		})
	}
}

func TestPTY_SendInput_WritesToTerminal(t *testing.T) {
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "read line; echo got:$line"}, PTY: true})

	require.NoError(t, p.SendInput("hello\n"))
	waitDone(t, p, ptyDeadline)
	require.NoError(t, p.Wait())
	lines := ptyOutputLines(p.Output())
	assert.Contains(t, lines, "hello", "the terminal echoes what is typed")
	assert.Contains(t, lines, "got:hello")
}

func TestPTY_InputAction_WritesToTerminal(t *testing.T) {
	c, svc := newTestService(t, Options{})
	p := ptyStart(t, c, svc,
		core.Option{Key: "command", Value: "sh"},
		core.Option{Key: "args", Value: []string{"-c", "read line; echo got:$line"}},
		core.Option{Key: "pty", Value: true},
	)
	r := c.Action("process.input").Run(context.Background(), core.NewOptions(
		core.Option{Key: "id", Value: p.ID},
		core.Option{Key: "input", Value: "from-action\n"},
	))
	require.True(t, r.OK, "process.input: %v", r.Value)
	waitDone(t, p, ptyDeadline)
	require.NoError(t, p.Wait())
	assert.Contains(t, ptyOutputLines(p.Output()), "got:from-action")
}

func TestPTY_CloseStdin_SendsEndOfFileLikeCtrlD(t *testing.T) {
	_, svc := newTestService(t, Options{})

	t.Run("CatEnds", func(t *testing.T) {
		p := startProcess(t, svc, RunOptions{Command: "cat", PTY: true})
		require.NoError(t, p.SendInput("hello\n"))
		require.NoError(t, p.CloseStdin())
		waitDone(t, p, ptyDeadline)
		require.NoError(t, p.Wait())
		info := p.Info()
		assert.Equal(t, StatusExited, info.Status)
		assert.Equal(t, 0, info.ExitCode)
		// Once echoed by the terminal, once written by cat.
		assert.Equal(t, "hello\r\nhello\r\n", p.Output())
	})

	t.Run("TerminalStaysOpen", func(t *testing.T) {
		p := startProcess(t, svc, RunOptions{
			Command: "sh", Args: []string{"-c", "cat; echo after-eof; read x; echo got:$x"}, PTY: true,
		})
		require.NoError(t, p.CloseStdin())
		ptyWaitLine(t, p, regexp.MustCompile(`^after-eof$`), ptyDeadline)
		require.NoError(t, p.SendInput("more\n"))
		waitDone(t, p, ptyDeadline)
		require.NoError(t, p.Wait())
		assert.Contains(t, ptyOutputLines(p.Output()), "got:more")
	})
}

func TestPTY_DefaultSize_Is24x80(t *testing.T) {
	_, svc := newTestService(t, Options{})
	r := svc.RunWithOptions(context.Background(), RunOptions{Command: "stty", Args: []string{"size"}, PTY: true})
	require.True(t, r.OK, "stty size: %v", r.Value)
	assert.Equal(t, "24 80\r\n", r.Value)
}

func TestPTY_RowsCols_Honoured(t *testing.T) {
	c, svc := newTestService(t, Options{})

	for _, tc := range []struct {
		rows, cols uint16
		want       string
	}{
		{30, 100, "30 100"},
		{40, 0, "40 80"},
		{0, 132, "24 132"},
	} {
		r := svc.RunWithOptions(context.Background(), RunOptions{
			Command: "stty", Args: []string{"size"}, PTY: true, Rows: tc.rows, Cols: tc.cols,
		})
		require.True(t, r.OK, "stty size: %v", r.Value)
		assert.Equal(t, tc.want+"\r\n", r.Value, "rows %d cols %d", tc.rows, tc.cols)
	}

	// process.start with rows and cols, as a JSON decoder would give them.
	p := ptyStart(t, c, svc,
		core.Option{Key: "command", Value: "stty"},
		core.Option{Key: "args", Value: []any{"size"}},
		core.Option{Key: "pty", Value: true},
		core.Option{Key: "rows", Value: float64(50)},
		core.Option{Key: "cols", Value: 160},
	)
	waitDone(t, p, ptyDeadline)
	require.NoError(t, p.Wait())
	assert.Equal(t, "50 160\r\n", p.Output())
}

// ptyWinchScript prints the terminal size on every SIGWINCH.
const ptyWinchScript = `trap 'echo size:$(stty size)' WINCH; echo ready; while :; do sleep 0.05; done`

func TestPTY_Resize_ChildSeesNewSize(t *testing.T) {
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", ptyWinchScript}, PTY: true, GracePeriod: time.Second})
	killGroupOnCleanup(t, p.PID)
	ptyWaitRecorded(t, rec, p.ID, "ready", ptyDeadline)

	require.NoError(t, p.Resize(40, 120))
	ptyWaitRecorded(t, rec, p.ID, "size:40 120", ptyDeadline)

	r := c.Action("process.resize").Run(context.Background(), core.NewOptions(
		core.Option{Key: "id", Value: p.ID},
		core.Option{Key: "rows", Value: 33},
		core.Option{Key: "cols", Value: 99},
	))
	require.True(t, r.OK, "process.resize: %v", r.Value)
	ptyWaitRecorded(t, rec, p.ID, "size:33 99", ptyDeadline)

	require.NoError(t, p.Kill())
	waitDone(t, p, ptyDeadline)
}

// Resize after input: the child reads the new size itself, no signal
// handling needed.
func TestPTY_Resize_SizeReadAfterInput(t *testing.T) {
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "read x; stty size"}, PTY: true})
	require.NoError(t, p.Resize(12, 34))
	require.NoError(t, p.SendInput("go\n"))
	waitDone(t, p, ptyDeadline)
	require.NoError(t, p.Wait())
	assert.Contains(t, ptyOutputLines(p.Output()), "12 34")
}

func TestPTY_Resize_Errors(t *testing.T) {
	c, svc := newTestService(t, Options{})

	t.Run("NotPTY", func(t *testing.T) {
		p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}})
		err := p.Resize(40, 120)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "PTY")
		assert.Contains(t, err.Error(), p.ID)

		r := c.Action("process.resize").Run(context.Background(), core.NewOptions(
			core.Option{Key: "id", Value: p.ID},
			core.Option{Key: "rows", Value: 40},
			core.Option{Key: "cols", Value: 120},
		))
		require.False(t, r.OK)
		assert.Contains(t, r.Value.(error).Error(), "process.resize")
		assert.Contains(t, r.Value.(error).Error(), "PTY")
		require.NoError(t, p.Kill())
		waitDone(t, p, ptyDeadline)
	})

	t.Run("ZeroSize", func(t *testing.T) {
		p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}, PTY: true})
		assert.Error(t, p.Resize(0, 80))
		assert.Error(t, p.Resize(24, 0))
		for _, key := range []string{"rows", "cols"} {
			opts := core.NewOptions(
				core.Option{Key: "id", Value: p.ID},
				core.Option{Key: "rows", Value: 24},
				core.Option{Key: "cols", Value: 80},
			)
			opts.Set(key, 0)
			r := c.Action("process.resize").Run(context.Background(), opts)
			require.False(t, r.OK, "%s 0", key)
			assert.Contains(t, r.Value.(error).Error(), key)
		}
		r := c.Action("process.resize").Run(context.Background(), core.NewOptions(
			core.Option{Key: "id", Value: p.ID},
			core.Option{Key: "rows", Value: 24},
		))
		require.False(t, r.OK, "cols missing")
		assert.Contains(t, r.Value.(error).Error(), "cols")

		require.NoError(t, p.Kill())
		waitDone(t, p, ptyDeadline)
	})

	t.Run("AfterExit", func(t *testing.T) {
		p := startProcess(t, svc, RunOptions{Command: "true", PTY: true})
		waitDone(t, p, ptyDeadline)
		err := p.Resize(40, 120)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrProcessNotRunning)
		assert.ErrorIs(t, p.SendInput("x\n"), ErrProcessNotRunning)
	})
}

func TestPTY_Child_IsSessionLeaderWithControllingTerminal(t *testing.T) {
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"30"}, PTY: true})

	pgrp, session, ttyNr := ptyStat(t, p.PID)
	assert.Equal(t, p.PID, session, "session leader")
	assert.Equal(t, p.PID, pgrp, "process group leader")
	assert.NotZero(t, ttyNr, "has a controlling terminal")

	require.NoError(t, p.Kill())
	waitDone(t, p, ptyDeadline)
}

// ptyGrandchildScript starts a grandchild that ignores SIGHUP, so only a
// signal to the group ends it (the kernel sends SIGHUP to the terminal's
// foreground group when the session leader exits).
const ptyGrandchildScript = `trap '' HUP; sleep 300 & echo grandchild:$!; wait`

var ptyGrandchildLine = regexp.MustCompile(`^grandchild:(\d+)$`)

func TestPTY_Stop_ReachesSessionGroup(t *testing.T) {
	_, svc := newTestService(t, Options{})

	for _, tc := range []struct {
		name    string
		timeout time.Duration
		stop    func(p *Process) error
		signal  string
	}{
		{"Kill", 0, (*Process).Kill, "SIGKILL"},
		{"Shutdown", 0, (*Process).Shutdown, "SIGTERM"},
		{"Timeout", 3 * time.Second, nil, "SIGTERM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startProcess(t, svc, RunOptions{
				Command: "sh", Args: []string{"-c", ptyGrandchildScript},
				PTY: true, Timeout: tc.timeout, GracePeriod: 5 * time.Second,
			})
			killGroupOnCleanup(t, p.PID)
			m := ptyWaitLine(t, p, ptyGrandchildLine, ptyDeadline)
			grandchild, err := strconv.Atoi(m[1])
			require.NoError(t, err)
			killOnCleanup(t, grandchild)

			pgrp, session, _ := ptyStat(t, grandchild)
			require.Equal(t, p.PID, session, "grandchild in the child's session")
			require.Equal(t, p.PID, pgrp, "grandchild in the child's group")

			if tc.stop != nil {
				require.NoError(t, tc.stop(p))
			}
			waitDone(t, p, ptyDeadline)
			waitGone(t, grandchild, 5*time.Second)
			info := p.Info()
			assert.Equal(t, StatusKilled, info.Status)
			assert.Equal(t, tc.signal, info.Signal)
		})
	}
}

func TestPTY_Shutdown_TermIgnoringShell_KilledAfterGrace(t *testing.T) {
	_, svc := newTestService(t, Options{})
	const grace = 500 * time.Millisecond

	for _, tc := range []struct {
		name  string
		args  []string
		env   []string
		ready *regexp.Regexp
	}{
		{
			name:  "TrapTERM",
			args:  []string{"-c", `trap '' TERM HUP; echo ready; while :; do sleep 1; done`},
			ready: regexp.MustCompile(`^ready$`),
		},
		{
			// An interactive shell ignores SIGTERM by itself.
			name:  "InteractiveShell",
			args:  []string{"-i"},
			env:   []string{"PS1=prompt> ", "ENV="},
			ready: regexp.MustCompile(`prompt> `),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startProcess(t, svc, RunOptions{
				Command: "sh", Args: tc.args, Env: tc.env, PTY: true, GracePeriod: grace,
			})
			killGroupOnCleanup(t, p.PID)
			ptyWaitLine(t, p, tc.ready, ptyDeadline)

			start := time.Now()
			shutdownErr := make(chan error, 1)
			go func() { shutdownErr <- p.Shutdown() }()
			select {
			case err := <-shutdownErr:
				require.NoError(t, err)
			case <-time.After(10 * time.Second):
				t.Fatalf("Shutdown did not return within 10s (grace %v)", grace)
			}
			elapsed := time.Since(start)
			assert.GreaterOrEqual(t, elapsed, grace, "SIGKILL only after the grace period")

			<-p.Done()
			info := p.Info()
			assert.Equal(t, StatusKilled, info.Status)
			assert.Equal(t, "SIGKILL", info.Signal)
			var exitErr *ExitError
			require.ErrorAs(t, p.Wait(), &exitErr)
			assert.Equal(t, "SIGKILL", exitErr.Signal)
			// The SIGKILL has been sent to the whole group; its members
			// die promptly.
			require.Eventually(t, func() bool { return len(groupMembers(p.PID)) == 0 },
				5*time.Second, 5*time.Millisecond, "members of group %d survive: %v", p.PID, groupMembers(p.PID))
		})
	}
}

func TestPTY_EIOAfterExit_IsEndOfOutput(t *testing.T) {
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{Command: "echo", Args: []string{"done"}, PTY: true})
	waitDone(t, p, ptyDeadline)

	require.NoError(t, p.Wait(), "EIO from the master after exit is not an error")
	info := p.Info()
	assert.Equal(t, StatusExited, info.Status)
	assert.Equal(t, 0, info.ExitCode)
	assert.Empty(t, info.Error)
	assert.Equal(t, "done\r\n", p.Output())

	var exited *ActionProcessExited
	require.Eventually(t, func() bool {
		for _, m := range rec.forID(p.ID) {
			if e, ok := m.(ActionProcessExited); ok {
				exited = &e
				return true
			}
		}
		return false
	}, ptyDeadline, 5*time.Millisecond)
	assert.NoError(t, exited.Error)
	assert.Equal(t, []string{"done"}, rec.lines(p.ID))
}

// ptyRunLog follows the output events of many processes at once.
type ptyRunLog struct {
	mu   sync.Mutex
	runs map[string]*ptyRun
}

type ptyRun struct {
	lines      int
	last       string
	badLine    string // a line with "\r", or of another stream
	exited     bool
	lastAtExit string
	linesAfter int // output events after the exit event
}

func newPTYRunLog(c *core.Core) *ptyRunLog {
	l := &ptyRunLog{runs: make(map[string]*ptyRun)}
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch e := msg.(type) {
		case ActionProcessOutput:
			r := l.run(e.ID)
			if r.exited {
				r.linesAfter++
			}
			r.lines++
			r.last = e.Line
			if e.Stream != StreamPTY || strings.Contains(e.Line, "\r") {
				r.badLine = fmt.Sprintf("%s %q", e.Stream, e.Line)
			}
		case ActionProcessExited:
			r := l.run(e.ID)
			r.exited = true
			r.lastAtExit = r.last
		}
		return core.Result{OK: true}
	})
	return l
}

func (l *ptyRunLog) run(id string) *ptyRun {
	r := l.runs[id]
	if r == nil {
		r = &ptyRun{}
		l.runs[id] = r
	}
	return r
}

func (l *ptyRunLog) get(id string) ptyRun {
	l.mu.Lock()
	defer l.mu.Unlock()
	return *l.run(id)
}

// The final output written just before exit is never lost: 200 runs, 8 at
// a time, half of them ending a 20 KiB burst of lines.
func TestPTY_FinalOutput_NeverLost_200Runs(t *testing.T) {
	const (
		runs    = 200
		workers = 8
	)
	scripts := []string{
		`printf "line1\n` + ptyFinal + `"`,
		`seq 1 4500; printf ` + ptyFinal, // 20 KiB of lines, then the final text
	}
	c, svc := newTestService(t, Options{})
	log := newPTYRunLog(c)

	type result struct {
		run int
		p   *Process
	}
	jobs := make(chan int)
	results := make(chan result, runs)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				r := svc.StartWithOptions(context.Background(), RunOptions{
					Command: "sh", Args: []string{"-c", scripts[i%len(scripts)]}, PTY: true,
				})
				if !assert.True(t, r.OK, "run %d: start: %v", i, r.Value) {
					continue
				}
				p := r.Value.(*Process)
				select {
				case <-p.Done():
				case <-time.After(ptyDeadline):
					_ = p.Kill() // never signals a reaped PID
					assert.Fail(t, "run did not end", "run %d (pid %d)", i, p.PID)
					<-p.Done()
				}
				results <- result{run: i, p: p}
			}
		})
	}
	start := time.Now()
	for i := range runs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(results)
	t.Logf("%d runs, %d at a time, in %v", runs, workers, time.Since(start))

	var lost []string
	ended := 0
	for res := range results {
		ended++
		p := res.p
		if err := p.Wait(); err != nil {
			lost = append(lost, fmt.Sprintf("run %d: %v", res.run, err))
			continue
		}
		out := p.Output()
		run := log.get(p.ID)
		// Every event of the process, its exit event last, has been
		// broadcast before Done is closed.
		if !strings.HasSuffix(out, "\n"+ptyFinal) || run.last != ptyFinal || run.badLine != "" ||
			!run.exited || run.lastAtExit != ptyFinal || run.linesAfter != 0 {
			tail := out[max(0, len(out)-40):]
			lost = append(lost, fmt.Sprintf("run %d (%s): output ends %q, last line %q, bad line %s, "+
				"exit event seen %v, last line before it %q, lines after it %d",
				res.run, p.ID, tail, run.last, run.badLine, run.exited, run.lastAtExit, run.linesAfter))
		}
		wantLines := 2
		if res.run%2 == 1 {
			wantLines = 4501
		}
		if run.lines != wantLines {
			lost = append(lost, fmt.Sprintf("run %d (%s): %d lines, want %d", res.run, p.ID, run.lines, wantLines))
		}
	}
	require.Equal(t, runs, ended)
	require.Empty(t, lost, "%d of %d runs lost output", len(lost), runs)
}

// The master is always drained: a child writing 1 MiB to its terminal
// finishes although no one asks for its output.
func TestPTY_Master_AlwaysDrained(t *testing.T) {
	const size = 1 << 20
	script := "head -c " + strconv.Itoa(size) + ` /dev/zero | tr '\0' a`
	_, svc := newTestService(t, Options{})

	t.Run("Captured", func(t *testing.T) {
		p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", script}, PTY: true})
		killGroupOnCleanup(t, p.PID)
		waitDone(t, p, 30*time.Second)
		require.NoError(t, p.Wait())
		assert.True(t, p.Info().PTY)
		out := p.Output()
		assert.Equal(t, size, len(out), "every byte captured")
		assert.Equal(t, size, strings.Count(out, "a"))
	})

	t.Run("DisableCapture", func(t *testing.T) {
		p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", script}, PTY: true, DisableCapture: true})
		killGroupOnCleanup(t, p.PID)
		waitDone(t, p, 30*time.Second)
		require.NoError(t, p.Wait())
		assert.True(t, p.Info().PTY)
		assert.Empty(t, p.Output())
	})
}

// A non-zero exit of a PTY child is reported with its code and output.
func TestPTY_ExitStatus_Reported(t *testing.T) {
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "echo bye; exit 3"}, PTY: true})
	waitDone(t, p, ptyDeadline)
	var exitErr *ExitError
	require.ErrorAs(t, p.Wait(), &exitErr)
	assert.Equal(t, 3, exitErr.Code)
	assert.Equal(t, "bye\r\n", exitErr.Output)
	assert.Equal(t, StatusExited, p.Info().Status)
	assert.False(t, errors.Is(p.Wait(), syscall.EIO))
}
