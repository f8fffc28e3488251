package process

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPIDFile_Acquire_WritesDecimalPID_ReleaseRemoves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.pid")
	pf := NewPIDFile(path)
	require.NoError(t, pf.Acquire())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(os.Getpid())+"\n", string(data))
	pid, alive := ReadPID(path)
	assert.Equal(t, os.Getpid(), pid)
	assert.True(t, alive)

	require.NoError(t, pf.Release())
	_, err = os.Stat(path)
	assert.True(t, os.IsNotExist(err))
}

func TestPIDFile_Acquire_StaleFile_TakenOver(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stale.pid")
	require.NoError(t, os.WriteFile(path, []byte("999999999"), 0o644))
	pf := NewPIDFile(path)
	require.NoError(t, pf.Acquire())
	t.Cleanup(func() { _ = pf.Release() })
	pid, alive := ReadPID(path)
	assert.Equal(t, os.Getpid(), pid)
	assert.True(t, alive)
}

func TestPIDFile_Acquire_CreatesParentDirectories(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subdir", "nested", "test.pid")
	pf := NewPIDFile(path)
	require.NoError(t, pf.Acquire())
	_, err := os.Stat(path)
	require.NoError(t, err)
	require.NoError(t, pf.Release())
}

func TestPIDFile_Path(t *testing.T) {
	assert.Equal(t, "/tmp/test.pid", NewPIDFile("/tmp/test.pid").Path())
}

func TestPIDFile_Release_NotAcquired_LeavesTheFileAlone(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, NewPIDFile(filepath.Join(dir, "absent.pid")).Release())

	path := filepath.Join(dir, "owned.pid")
	owner := NewPIDFile(path)
	require.NoError(t, owner.Acquire())
	t.Cleanup(func() { _ = owner.Release() })
	require.NoError(t, NewPIDFile(path).Release())
	_, err := os.Stat(path)
	assert.NoError(t, err, "a PIDFile that does not hold the file must not remove it")
}

func TestPIDFile_Acquire_HeldByAnother_ErrAlreadyRunningNamingThePID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "held.pid")
	owner := NewPIDFile(path)
	require.NoError(t, owner.Acquire())
	t.Cleanup(func() { _ = owner.Release() })

	err := NewPIDFile(path).Acquire()
	require.ErrorIs(t, err, ErrAlreadyRunning)
	assert.Contains(t, err.Error(), strconv.Itoa(os.Getpid()))
	assert.Contains(t, err.Error(), path)
	// The same PIDFile twice is refused too.
	assert.ErrorIs(t, owner.Acquire(), ErrAlreadyRunning)
}

func TestPIDFile_Acquire_AfterRelease_Succeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "again.pid")
	first := NewPIDFile(path)
	require.NoError(t, first.Acquire())
	require.NoError(t, first.Release())
	second := NewPIDFile(path)
	require.NoError(t, second.Acquire())
	require.NoError(t, second.Release())
}

// Two (here: eight) Acquires racing, 100 times: exactly one wins each
// round. A check-then-write PID file lets several win.
func TestPIDFile_Acquire_RacingGoroutines_ExactlyOneWins(t *testing.T) {
	dir := t.TempDir()
	for round := range 100 {
		path := filepath.Join(dir, fmt.Sprintf("race-%d.pid", round))
		// Half the rounds race over a stale file left by a dead owner.
		if round%2 == 1 {
			require.NoError(t, os.WriteFile(path, []byte("999999999\n"), 0o644))
		}
		const racers = 8
		files := make([]*PIDFile, racers)
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			files[i] = NewPIDFile(path)
			wg.Go(func() {
				<-start
				errs[i] = files[i].Acquire()
			})
		}
		close(start)
		wg.Wait()
		winners := 0
		for i, err := range errs {
			if err == nil {
				winners++
				require.NoError(t, files[i].Release())
			} else {
				require.ErrorIs(t, err, ErrAlreadyRunning, "round %d", round)
			}
		}
		require.Equal(t, 1, winners, "round %d: winners", round)
	}
}

// Racing Acquire and Release across rounds: while one PIDFile releases,
// others acquire; at no moment do two hold the file.
func TestPIDFile_AcquireRelease_Churn_NeverTwoOwners(t *testing.T) {
	path := filepath.Join(t.TempDir(), "churn.pid")
	var mu sync.Mutex
	owners, most := 0, 0
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			pf := NewPIDFile(path)
			for range 100 {
				if pf.Acquire() != nil {
					continue
				}
				mu.Lock()
				owners++
				most = max(most, owners)
				mu.Unlock()
				mu.Lock()
				owners--
				mu.Unlock()
				if err := pf.Release(); err != nil {
					t.Errorf("release: %v", err)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, most)
}

// pidFileChildEnv, set to a directory, makes the test binary a program
// that races for PID files in it, on command, one line each on stdin:
// "acquire NAME" Acquires NAME and prints "won" or "lost <error>";
// "release" releases what it won and prints "released". It holds what it
// won until told, or until stdin closes.
const pidFileChildEnv = "GO_PROCESS_TEST_PIDFILE"

func runPIDFileChild(dir string) int {
	in := bufio.NewScanner(os.Stdin)
	var held *PIDFile
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		switch cmd {
		case "acquire":
			pf := NewPIDFile(filepath.Join(dir, arg))
			if err := pf.Acquire(); err != nil {
				fmt.Printf("lost %v\n", err)
				continue
			}
			held = pf
			fmt.Println("won")
		case "release":
			if held != nil {
				if err := held.Release(); err != nil {
					fmt.Fprintln(os.Stderr, err)
					return 1
				}
				held = nil
			}
			fmt.Println("released")
		}
	}
	return 0
}

type pidFileChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startPIDFileChild(t *testing.T, dir string) *pidFileChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), pidFileChildEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = syscall.Kill(pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return &pidFileChild{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
}

// tell sends a command line and returns the answer line.
func (c *pidFileChild) tell(t *testing.T, line string) string {
	t.Helper()
	_, err := io.WriteString(c.stdin, line+"\n")
	require.NoError(t, err)
	answer, err := c.out.ReadString('\n')
	require.NoError(t, err)
	return strings.TrimSuffix(answer, "\n")
}

// Three processes racing for one PID file, 100 rounds (half of them over
// a stale file): exactly one wins each round, and the file then names it.
func TestPIDFile_Acquire_RacingProcesses_ExactlyOneWins(t *testing.T) {
	dir := t.TempDir()
	children := []*pidFileChild{startPIDFileChild(t, dir), startPIDFileChild(t, dir), startPIDFileChild(t, dir)}
	for round := range 100 {
		name := fmt.Sprintf("round-%d.pid", round)
		path := filepath.Join(dir, name)
		if round%2 == 1 {
			require.NoError(t, os.WriteFile(path, []byte("999999999\n"), 0o644))
		}
		// Send every command before reading any answer, so the
		// Acquires run at the same time.
		for _, c := range children {
			_, err := io.WriteString(c.stdin, "acquire "+name+"\n")
			require.NoError(t, err)
		}
		winners, winner := 0, 0
		for _, c := range children {
			line, err := c.out.ReadString('\n')
			require.NoError(t, err, "round %d", round)
			if line == "won\n" {
				winners++
				winner = c.cmd.Process.Pid
			} else {
				require.True(t, strings.HasPrefix(line, "lost "), "round %d: %q", round, line)
				require.Contains(t, line, ErrAlreadyRunning.Error())
			}
		}
		require.Equal(t, 1, winners, "round %d", round)
		pid, alive := ReadPID(path)
		assert.Equal(t, winner, pid, "round %d", round)
		assert.True(t, alive, "round %d", round)
		for _, c := range children {
			require.Equal(t, "released", c.tell(t, "release"), "round %d", round)
		}
		_, err := os.Stat(path)
		require.True(t, os.IsNotExist(err), "round %d: the winner removes the file", round)
	}
}

func TestPIDFile_OwnerKilled_NextAcquireWins(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "killed.pid")
	c := startPIDFileChild(t, dir)
	require.Equal(t, "won", c.tell(t, "acquire killed.pid"))
	require.ErrorIs(t, NewPIDFile(path).Acquire(), ErrAlreadyRunning)

	require.NoError(t, c.cmd.Process.Kill())
	_ = c.cmd.Wait()
	_, alive := ReadPID(path)
	assert.False(t, alive, "a dead owner's file is stale")
	pf := NewPIDFile(path)
	require.NoError(t, pf.Acquire(), "the kernel dropped the dead owner's lock")
	require.NoError(t, pf.Release())
}

func TestReadPID_MissingOrInvalid_ZeroFalse(t *testing.T) {
	pid, alive := ReadPID("/nonexistent/path.pid")
	assert.Equal(t, 0, pid)
	assert.False(t, alive)

	path := filepath.Join(t.TempDir(), "bad.pid")
	for _, content := range []string{"notanumber", "", "-5", "0"} {
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		pid, alive := ReadPID(path)
		assert.Equal(t, 0, pid, "%q", content)
		assert.False(t, alive, "%q", content)
	}
}

func TestReadPID_DeadPID_PIDFalse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stale.pid")
	require.NoError(t, os.WriteFile(path, []byte("999999999"), 0o644))
	pid, alive := ReadPID(path)
	assert.Equal(t, 999999999, pid)
	assert.False(t, alive)
}

func TestReadPID_LiveProcessWrittenByAnotherTool_True(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tool.pid")
	require.NoError(t, os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644))
	pid, alive := ReadPID(path)
	assert.Equal(t, os.Getpid(), pid)
	assert.True(t, alive)
}

// A file written before its PID's current holder started was written by
// an earlier process with that PID: the current one is not its owner.
func TestReadPID_PIDReusedByALaterProcess_False(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	path := filepath.Join(t.TempDir(), "reused.pid")
	require.NoError(t, os.WriteFile(path, []byte(strconv.Itoa(pid)), 0o644))
	_, alive := ReadPID(path)
	require.True(t, alive, "precondition: the file names the live process")

	written := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(path, written, written))
	got, alive := ReadPID(path)
	assert.Equal(t, pid, got)
	assert.False(t, alive)
}

// A file that a program which does not lock PID files wrote names a live
// process: Acquire refuses. The same content written before that process
// started names a dead owner whose PID was reused: Acquire takes it over.
func TestPIDFile_Acquire_UnlockedFileNamingALiveProcess(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	path := filepath.Join(t.TempDir(), "legacy.pid")
	require.NoError(t, os.WriteFile(path, []byte(strconv.Itoa(pid)+"\n"), 0o644))

	err := NewPIDFile(path).Acquire()
	require.ErrorIs(t, err, ErrAlreadyRunning)
	assert.Contains(t, err.Error(), strconv.Itoa(pid))

	written := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(path, written, written))
	pf := NewPIDFile(path)
	require.NoError(t, pf.Acquire(), "a reused PID does not keep the file")
	got, alive := ReadPID(path)
	assert.Equal(t, os.Getpid(), got)
	assert.True(t, alive)
	require.NoError(t, pf.Release())
}
