package exec_test

import (
	"context"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dappco.re/go/core/process/exec"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a Logger that keeps every line.
type recorder struct {
	mu     sync.Mutex
	debugs []line
	errors []line
}

type line struct {
	msg     string
	keyvals []any
}

func (r *recorder) Debug(msg string, keyvals ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.debugs = append(r.debugs, line{msg, keyvals})
}

func (r *recorder) Error(msg string, keyvals ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, line{msg, keyvals})
}

// value returns the value of key in l's key/value pairs.
func (l line) value(key string) any {
	for i := 0; i+1 < len(l.keyvals); i += 2 {
		if l.keyvals[i] == key {
			return l.keyvals[i+1]
		}
	}
	return nil
}

func TestCommand_Run_Success_OneDebugLineNoError(t *testing.T) {
	log := &recorder{}
	require.NoError(t, exec.Command(context.Background(), "echo", "hello").WithLogger(log).Run())
	require.Len(t, log.debugs, 1)
	assert.Equal(t, "executing command", log.debugs[0].msg)
	assert.Equal(t, "echo", log.debugs[0].value("cmd"))
	assert.Equal(t, []string{"hello"}, log.debugs[0].value("args"))
	assert.Empty(t, log.errors)
}

func TestCommand_Run_Failure_ErrorLineAndErrorNamesTheCommandLine(t *testing.T) {
	log := &recorder{}
	err := exec.Command(context.Background(), "sh", "-c", "exit 3").WithLogger(log).Run()
	require.Error(t, err)
	assert.Equal(t, `exec sh -c "exit 3": exit status 3`, err.Error())
	var exitErr *osexec.ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.Equal(t, 3, exitErr.ExitCode())
	require.Len(t, log.debugs, 1)
	require.Len(t, log.errors, 1)
	assert.Equal(t, "command failed", log.errors[0].msg)
	assert.Equal(t, err, log.errors[0].value("err"))
}

func TestCommand_Run_NotFound_ErrorNamesTheCommand(t *testing.T) {
	err := exec.Command(context.Background(), "no-such-command-go-process-test", "a").Run()
	require.Error(t, err)
	assert.ErrorIs(t, err, osexec.ErrNotFound)
	assert.Contains(t, err.Error(), "exec no-such-command-go-process-test a:")
}

func TestCommand_Output_StdoutOnly_StderrInTheError(t *testing.T) {
	log := &recorder{}
	out, err := exec.Command(context.Background(), "sh", "-c", "echo out; echo err >&2").WithLogger(log).Output()
	require.NoError(t, err)
	assert.Equal(t, "out\n", string(out))
	assert.Len(t, log.debugs, 1)

	out, err = exec.Command(context.Background(), "sh", "-c", "echo partial; echo why >&2; exit 1").Output()
	require.Error(t, err)
	assert.Equal(t, "partial\n", string(out))
	assert.Contains(t, err.Error(), "why")
}

func TestCommand_Output_WithStdoutSet_Error(t *testing.T) {
	var b strings.Builder
	_, err := exec.Command(context.Background(), "echo").WithStdout(&b).Output()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Stdout already set")
}

func TestCommand_CombinedOutput_BothStreamsInOrder(t *testing.T) {
	log := &recorder{}
	out, err := exec.Command(context.Background(), "sh", "-c", "echo one; echo two >&2; echo three").WithLogger(log).CombinedOutput()
	require.NoError(t, err)
	assert.Equal(t, "one\ntwo\nthree\n", string(out))
	assert.Len(t, log.debugs, 1)
}

func TestNopLogger_DiscardsWithoutPanic(t *testing.T) {
	var nop exec.NopLogger
	assert.NotPanics(t, func() {
		nop.Debug("msg", "key", "val")
		nop.Error("msg", "key", "val")
	})
}

func TestSetDefaultLogger_NilIsNopLogger(t *testing.T) {
	original := exec.DefaultLogger()
	t.Cleanup(func() { exec.SetDefaultLogger(original) })
	_, isNop := original.(exec.NopLogger)
	assert.True(t, isNop, "the default is NopLogger")

	log := &recorder{}
	exec.SetDefaultLogger(log)
	assert.Same(t, log, exec.DefaultLogger())
	exec.SetDefaultLogger(nil)
	_, isNop = exec.DefaultLogger().(exec.NopLogger)
	assert.True(t, isNop)
}

func TestDefaultLogger_ConcurrentSetAndGet(t *testing.T) {
	original := exec.DefaultLogger()
	t.Cleanup(func() { exec.SetDefaultLogger(original) })
	log := &recorder{}
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() { exec.SetDefaultLogger(log) })
		wg.Go(func() { _ = exec.DefaultLogger() })
	}
	wg.Wait()
	assert.Same(t, log, exec.DefaultLogger())
}

func TestCommand_WithoutLogger_UsesTheDefault(t *testing.T) {
	original := exec.DefaultLogger()
	t.Cleanup(func() { exec.SetDefaultLogger(original) })
	log := &recorder{}
	exec.SetDefaultLogger(log)
	require.NoError(t, exec.Command(context.Background(), "true").Run())
	assert.Len(t, log.debugs, 1)
	require.NoError(t, exec.Command(context.Background(), "true").WithLogger(nil).Run())
	assert.Len(t, log.debugs, 2, "WithLogger(nil) means the default")
}

func TestCommand_WithDir(t *testing.T) {
	dir := t.TempDir()
	out, err := exec.Command(context.Background(), "pwd").WithDir(dir).Output()
	require.NoError(t, err)
	want, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	assert.Equal(t, want, strings.TrimSpace(string(out)))
}

func TestCommand_WithEnv_AddedToTheCallersEnvironment(t *testing.T) {
	t.Setenv("EXEC_TEST_PARENT", "parent")
	out, err := exec.Command(context.Background(), "sh", "-c", "echo $EXEC_TEST_VAR $EXEC_TEST_PARENT").
		WithEnv([]string{"EXEC_TEST_VAR=exec_val"}).Output()
	require.NoError(t, err)
	assert.Equal(t, "exec_val parent\n", string(out))
}

func TestCommand_WithStdinStdoutStderr(t *testing.T) {
	var stdout, stderr strings.Builder
	err := exec.Command(context.Background(), "sh", "-c", "cat; echo e >&2").
		WithStdin(strings.NewReader("piped input\n")).
		WithStdout(&stdout).
		WithStderr(&stderr).
		Run()
	require.NoError(t, err)
	assert.Equal(t, "piped input\n", stdout.String())
	assert.Equal(t, "e\n", stderr.String())
}

//nolint:staticcheck // a nil context is what this test is about
func TestCommand_NilContext_MeansBackground(t *testing.T) {
	var ctx context.Context
	out, err := exec.Command(ctx, "echo", "ok").Output()
	require.NoError(t, err)
	assert.Equal(t, "ok\n", string(out))
	require.NoError(t, exec.RunQuiet(ctx, "true"))
}

func TestCommand_ContextEnds_KillsTheCommand(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := exec.Command(ctx, "sleep", "60").Run()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exec sleep 60:")
	assert.Contains(t, err.Error(), "killed")
}

func TestRunQuiet_Success_Nil(t *testing.T) {
	require.NoError(t, exec.RunQuiet(context.Background(), "echo", "quiet"))
}

func TestRunQuiet_Failure_OutputOnlyInTheError(t *testing.T) {
	// RunQuiet writes nothing to this process's own stdout/stderr: run
	// it in a child and look at what the child printed.
	if os.Getenv("EXEC_TEST_RUNQUIET_CHILD") == "1" {
		err := exec.RunQuiet(context.Background(), "sh", "-c", "echo visible-out; echo visible-err >&2; exit 1")
		if err == nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		os.Exit(0)
	}
	cmd := osexec.Command(os.Args[0], "-test.run=^TestRunQuiet_Failure_OutputOnlyInTheError$")
	cmd.Env = append(os.Environ(), "EXEC_TEST_RUNQUIET_CHILD=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	// All the child printed is the error line: the command's output
	// reached no stream of its own.
	assert.Equal(t, "error: exec sh -c \"echo visible-out; echo visible-err >&2; exit 1\": exit status 1: visible-out\nvisible-err\n", string(out))

	err = exec.RunQuiet(context.Background(), "sh", "-c", "exit 1")
	require.Error(t, err)
	var exitErr *osexec.ExitError
	assert.ErrorAs(t, err, &exitErr)
}
