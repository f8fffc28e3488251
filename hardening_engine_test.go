package process

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 20, items 1, 2, 5, 8 and 9: the engine under resource exhaustion,
// bad signals, handlers that wait and full disks.

// helperTestEnv names the test a helper process runs (see inHelperProcess).
const helperTestEnv = "GO_PROCESS_TEST_HELPER"

// inHelperProcess reports whether t runs in its helper process: the test
// binary re-executed to run t alone, for a test that changes what belongs
// to the whole program (its descriptor limit, its mounts). When it does
// not, it runs t there, with sys, and fails t if t failed there (or skips
// it if t was skipped there).
func inHelperProcess(t *testing.T, sys *syscall.SysProcAttr) bool {
	t.Helper()
	if os.Getenv(helperTestEnv) == t.Name() {
		return true
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), helperTestEnv+"="+t.Name())
	cmd.SysProcAttr = sys
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.EPERM) {
		t.Skipf("the helper process cannot be started as this test needs: %v", err)
	}
	if strings.Contains(string(out), "--- SKIP: "+t.Name()) {
		t.Skipf("skipped in the helper process:\n%s", out)
	}
	require.NoError(t, err, "the helper process failed:\n%s", out)
	require.Contains(t, string(out), "--- PASS: "+t.Name(), "the helper process ran the test:\n%s", out)
	return false
}

// exhaustDescriptors lowers this program's descriptor limit and opens
// /dev/null until no descriptor is left. The returned function frees
// keep of them again; Cleanup frees them all and restores the limit.
func exhaustDescriptors(t *testing.T) (free func(keep int)) {
	t.Helper()
	var limit syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit))
	lowered := limit
	lowered.Cur = 256
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lowered))
	null, err := syscall.Open(os.DevNull, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err)
	fillers := []int{null}
	for {
		fd, err := syscall.Dup(null)
		if err != nil {
			require.ErrorIs(t, err, syscall.EMFILE)
			break
		}
		syscall.CloseOnExec(fd)
		fillers = append(fillers, fd)
	}
	t.Cleanup(func() {
		for _, fd := range fillers {
			syscall.Close(fd)
		}
		require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &limit))
	})
	return func(keep int) {
		for ; keep > 0 && len(fillers) > 0; keep-- {
			syscall.Close(fillers[len(fillers)-1])
			fillers = fillers[:len(fillers)-1]
		}
	}
}

// freeDescriptors counts the descriptors this program can still open (by
// opening them all, and closing them again).
func freeDescriptors(t *testing.T) int {
	t.Helper()
	var opened []int
	defer func() {
		for _, fd := range opened {
			syscall.Close(fd)
		}
	}()
	for {
		fd, err := syscall.Dup(2)
		if err != nil {
			require.ErrorIs(t, err, syscall.EMFILE)
			return len(opened)
		}
		opened = append(opened, fd)
	}
}

// Item 1: a start that cannot open its pipes fails with EMFILE, naming
// what it could not open, at whatever step the descriptors run out; it
// leaks none, and the service starts processes again once descriptors are
// free.
func TestService_Start_DescriptorsExhausted_FailsWithEMFILEAndLeaksNothing(t *testing.T) {
	if !inHelperProcess(t, nil) {
		return
	}
	_, svc := newTestService(t, Options{})
	warm := startProcess(t, svc, RunOptions{Command: "true"}) // what lives as long as the program is made
	require.NoError(t, warm.Wait())

	free := exhaustDescriptors(t)
	started := false
	// First with no descriptor free (not even the stdin pipe can be
	// opened), then with one more each time.
	for keep := 0; keep <= 32 && !started; keep++ {
		free(min(keep, 1))
		before := freeDescriptors(t)
		r := svc.StartWithOptions(context.Background(), RunOptions{Command: "sh", Args: []string{"-c", "echo ok"}})
		if r.OK {
			p := r.Value.(*Process)
			killOnCleanup(t, p.PID)
			require.NoError(t, p.Wait())
			assert.Equal(t, "ok\n", p.Output())
			started = true
			continue
		}
		err, _ := r.Value.(error)
		require.ErrorIs(t, err, syscall.EMFILE, "with %d descriptors free", before)
		if keep == 0 {
			assert.Contains(t, err.Error(), "stdin pipe", "the error names what could not be opened")
		}
		assert.Equal(t, before, freeDescriptors(t), "a start that failed with %d descriptors free (%v) left descriptors open", before, err)
	}
	require.True(t, started, "a start succeeded once enough descriptors were free")
	assert.Empty(t, runningIDs(svc), "nothing of the failed starts is registered as running")
}

// runningIDs returns the IDs of the running processes of svc.
func runningIDs(svc *Service) []string {
	var ids []string
	for _, p := range svc.List() {
		if p.IsRunning() {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// Item 2: the first Start of a program, made while no descriptor is free,
// fails; once descriptors are free again, Start works.
func TestService_Start_FirstStartWithoutDescriptors_NextStartWorks(t *testing.T) {
	if !inHelperProcess(t, nil) {
		return
	}
	_, svc := newTestService(t, Options{})
	free := exhaustDescriptors(t)
	r := svc.StartWithOptions(context.Background(), RunOptions{Command: "true"})
	require.False(t, r.OK, "a start without a free descriptor succeeded")
	require.ErrorIs(t, r.Value.(error), syscall.EMFILE)

	free(64)
	r = svc.StartWithOptions(context.Background(), RunOptions{Command: "sh", Args: []string{"-c", "echo again"}})
	require.True(t, r.OK, "a start once descriptors were free again: %v", r.Value)
	p := r.Value.(*Process)
	killOnCleanup(t, p.PID)
	require.NoError(t, p.Wait())
	assert.Equal(t, "again\n", p.Output())
}

// Item 8: a signal number that is not one fails, naming it, in both
// containments, and delivers nothing; the process still takes a real
// signal afterwards.
func TestProcess_Signal_InvalidNumber_FailsNamingItInBothContainments(t *testing.T) {
	for _, containment := range containments {
		t.Run(string(containment), func(t *testing.T) {
			_, svc := newTestService(t, Options{Containment: containment})
			p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"300"}})
			require.Equal(t, containment, p.Info().Containment)

			for _, sig := range []syscall.Signal{99, 65, -1} {
				err := p.Signal(sig)
				require.Error(t, err, "signal %d", int(sig))
				assert.Contains(t, err.Error(), "signal number "+strconv.Itoa(int(sig)), "the error names the signal")
			}
			assert.True(t, p.IsRunning(), "nothing was delivered")

			require.NoError(t, p.Signal(syscall.SIGTERM))
			waitDone(t, p, 10*time.Second)
			assert.Equal(t, "SIGTERM", p.Info().Signal)
		})
	}
}

// inMountNamespace is inHelperProcess for a test that mounts file systems:
// its helper process has a mount namespace of its own.
func inMountNamespace(t *testing.T) bool {
	t.Helper()
	return inHelperProcess(t, &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS})
}

// mountTmpfs mounts a new tmpfs with options (size, nr_inodes) on a
// temporary directory, in the helper process's own mount namespace, and
// returns the directory. The test is skipped only if mounting is not
// permitted here.
func mountTmpfs(t *testing.T, options string) string {
	t.Helper()
	dir := t.TempDir()
	// Nothing mounted here propagates to the mount namespace of the
	// machine.
	err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, "")
	if err == nil {
		err = syscall.Mount("tmpfs", dir, "tmpfs", 0, options)
	}
	if errors.Is(err, syscall.EPERM) {
		t.Skipf("mounting a tmpfs is not permitted here: %v", err)
	}
	require.NoError(t, err, "mount a tmpfs on %s", dir)
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fillInodes creates empty files in dir until its file system has no
// inode left, and returns their paths.
func fillInodes(t *testing.T, dir string) []string {
	t.Helper()
	var paths []string
	for i := 0; ; i++ {
		path := filepath.Join(dir, "filler-"+strconv.Itoa(i))
		f, err := os.Create(path)
		if err != nil {
			require.ErrorIs(t, err, syscall.ENOSPC)
			require.NotEmpty(t, paths, "the file system had inodes to fill")
			return paths
		}
		require.NoError(t, f.Close())
		paths = append(paths, path)
	}
}

// fillSpace writes a file in dir until its file system has no space left,
// and returns its path.
func fillSpace(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			require.ErrorIs(t, err, syscall.ENOSPC)
			return path
		}
	}
}

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

// startDetachedEcho starts a detached `echo word` and returns the result.
func startDetachedEcho(svc *Service, word string) core.Result {
	return svc.StartWithOptions(context.Background(), RunOptions{Command: "sh", Args: []string{"-c", "echo " + word}, Detach: true})
}

// requireDetachedEchoWorks starts a detached echo and checks its output.
func requireDetachedEchoWorks(t *testing.T, svc *Service) {
	t.Helper()
	r := startDetachedEcho(svc, "works")
	require.True(t, r.OK, "a detached start: %v", r.Value)
	p := r.Value.(*Process)
	killOnCleanup(t, p.PID)
	require.NoError(t, p.Wait())
	assert.Equal(t, "works\n", p.Output())
}

// Item 1: a detached start whose output directory has no inode left fails
// with ENOSPC naming the output file, leaks no descriptor and leaves no
// file; the service goes on starting processes, detached ones too once an
// inode is free.
func TestService_Start_Detached_NoInodeLeft_FailsWithENOSPC(t *testing.T) {
	if !inMountNamespace(t) {
		return
	}
	dir := mountTmpfs(t, "size=1m,nr_inodes=16")
	_, svc := newTestService(t, Options{OutputDir: dir})
	requireDetachedEchoWorks(t, svc) // what lives as long as the program is made
	fillers := fillInodes(t, dir)
	before, files := freeDescriptors(t), dirEntries(t, dir)

	r := startDetachedEcho(svc, "lost")
	require.False(t, r.OK, "a detached start with no inode left succeeded")
	err := r.Value.(error)
	require.ErrorIs(t, err, syscall.ENOSPC)
	assert.Contains(t, err.Error(), "output file", "the error says what could not be made")
	assert.Contains(t, err.Error(), dir, "the error names the file")
	assert.Equal(t, before, freeDescriptors(t), "descriptors left open")
	assert.Equal(t, files, dirEntries(t, dir), "files left behind")
	assert.Empty(t, runningIDs(svc))

	r = svc.StartWithOptions(context.Background(), RunOptions{Command: "sh", Args: []string{"-c", "echo attached"}})
	require.True(t, r.OK, "a start that needs no file: %v", r.Value)
	killOnCleanup(t, r.Value.(*Process).PID)
	require.NoError(t, r.Value.(*Process).Wait())

	require.NoError(t, os.Remove(fillers[0]))
	requireDetachedEchoWorks(t, svc)
}

// Item 9: a detached process is not started on a file system with no
// space left, where everything it wrote would be lost unseen: the start
// fails with ENOSPC naming the output file, which is not left behind.
func TestService_Start_Detached_FileSystemFull_RefusedWithENOSPC(t *testing.T) {
	if !inMountNamespace(t) {
		return
	}
	dir := mountTmpfs(t, "size=64k")
	_, svc := newTestService(t, Options{OutputDir: dir})
	requireDetachedEchoWorks(t, svc) // what lives as long as the program is made
	filler := fillSpace(t, dir)
	before, files := freeDescriptors(t), dirEntries(t, dir)

	r := startDetachedEcho(svc, "lost")
	require.False(t, r.OK, "a detached start on a full file system succeeded")
	err := r.Value.(error)
	require.ErrorIs(t, err, syscall.ENOSPC)
	assert.Regexp(t, "output file: "+regexp.QuoteMeta(dir)+"/[^ ]+\\.log: file system full", err.Error(), "the error names the file")
	assert.Equal(t, before, freeDescriptors(t), "descriptors left open")
	assert.Equal(t, files, dirEntries(t, dir), "the output file is left behind")
	assert.Empty(t, runningIDs(svc))

	require.NoError(t, os.Remove(filler))
	requireDetachedEchoWorks(t, svc)
}

// Item 9: a detached process whose output file's file system fills up
// while it writes loses output; the loss is recorded: Wait returns an
// error matching ENOSPC though the process exited with status 0, and
// ProcessInfo.Error says so.
func TestProcess_Detached_FileSystemFillsUp_LossRecorded(t *testing.T) {
	if !inMountNamespace(t) {
		return
	}
	dir := mountTmpfs(t, "size=64k")
	_, svc := newTestService(t, Options{OutputDir: dir})
	// 5,000 lines of 64 bytes: five times what the file system holds.
	script := `i=0; while [ $i -lt 5000 ]; do echo "line $i ....................................................."; i=$((i+1)); done; exit 0`
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", script}, Detach: true})

	err := p.Wait()
	require.ErrorIs(t, err, syscall.ENOSPC, "Wait reports the lost output")
	info := p.Info()
	assert.Equal(t, StatusExited, info.Status)
	assert.Equal(t, 0, info.ExitCode, "the process itself succeeded")
	assert.Contains(t, info.Error, "output may be lost")
	assert.Contains(t, info.Error, info.OutputFile, "the error names the file")
	kept := strings.Count(p.Output(), "\n")
	assert.Less(t, kept, 5000, "the file system cannot have held every line")
}

// seqLines is how many lines the waiting-handler tests' child writes:
// more than a pipe holds, many times over.
const seqLines = 200000

// requireAllSeqLines checks that lines are exactly 1..seqLines, in order.
func requireAllSeqLines(t *testing.T, lines []string) {
	t.Helper()
	require.Len(t, lines, seqLines, "every line was delivered")
	for i, line := range lines {
		if line != strconv.Itoa(i+1) {
			require.Failf(t, "lines out of order", "line %d is %q", i+1, line)
		}
	}
}

// Item 5: an OnOutput handler that waits for its own process, which goes
// on writing far more than a pipe holds, gets the exit; every line is
// then delivered, in order, after the handler has returned. So for Start,
// for Run, and for a detached process, whose output file the waiting
// handler reads.
func TestHandler_OnOutputWaitsForItsOwnProcess_WhileItWritesMoreThanAPipeHolds(t *testing.T) {
	for _, mode := range []string{"Start", "Run", "Detach"} {
		t.Run(mode, func(t *testing.T) {
			_, svc := newTestService(t, Options{})
			result := make(chan error, 1)
			var lines []string // appended by the delivering goroutine only
			opts := RunOptions{Command: "seq", Args: []string{strconv.Itoa(seqLines)}, OnOutput: func(e ActionProcessOutput) {
				lines = append(lines, e.Line)
				if e.Line != "1" {
					return
				}
				p, err := svc.Get(e.ID)
				if err == nil {
					killOnCleanup(t, p.PID)
					err = p.Wait()
				}
				result <- err
			}}
			ran := make(chan core.Result, 1)
			if mode != "Run" {
				opts.Detach = mode == "Detach"
				p := startProcess(t, svc, opts)
				go func() {
					<-p.Done()
					ran <- core.Result{OK: true}
				}()
			} else {
				go func() { ran <- svc.RunWithOptions(context.Background(), opts) }()
			}
			select {
			case err := <-result:
				assert.NoError(t, err, "Wait from the handler returns the exit")
			case <-time.After(60 * time.Second):
				t.Fatal("Wait called from OnOutput did not return: the process is blocked on its full pipe")
			}
			r := awaitResult(t, ran, "the process was not done after the handler returned")
			require.True(t, r.OK, "%v", r.Value)
			requireAllSeqLines(t, lines)
			if mode == "Run" {
				assert.Equal(t, seqLines, strings.Count(r.Value.(string), "\n"), "Run's output is complete")
			}
		})
	}
}

// Item 5: a handler of the start event that waits for the process, which
// writes far more than a pipe holds before it exits, gets the exit; the
// output events then arrive, every line in order.
func TestHandler_StartHandlerWaits_WhileTheProcessWritesMoreThanAPipeHolds(t *testing.T) {
	c, svc := newTestService(t, Options{})
	result := make(chan error, 1)
	onEvent(c, func(e ActionProcessStarted) {
		if e.Command != "seq" {
			return
		}
		p, err := svc.Get(e.ID)
		if err == nil {
			killOnCleanup(t, p.PID)
			err = p.Wait()
		}
		result <- err
	})
	var lines []string // appended by the delivering goroutine only
	ran := make(chan core.Result, 1)
	go func() {
		ran <- svc.StartWithOptions(context.Background(), RunOptions{Command: "seq", Args: []string{strconv.Itoa(seqLines)},
			OnOutput: func(e ActionProcessOutput) { lines = append(lines, e.Line) }})
	}()
	select {
	case err := <-result:
		assert.NoError(t, err, "Wait from the start handler returns the exit")
	case <-time.After(60 * time.Second):
		t.Fatal("Wait called from the start handler did not return: the process is blocked on its full pipe")
	}
	r := awaitResult(t, ran, "Start did not return")
	require.True(t, r.OK, "%v", r.Value)
	p := r.Value.(*Process)
	waitDone(t, p, 30*time.Second)
	requireAllSeqLines(t, lines)
}
