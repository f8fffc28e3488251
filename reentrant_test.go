package process

import (
	"context"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 9, item 6: a handler of a process's events may call any method of
// the service or of the process — Wait, Shutdown, process.wait on the
// process being reported included — without deadlock, and a slow handler
// slows only its own process.

// onEvent registers a handler that calls fn with every event of type E.
func onEvent[E any](c *core.Core, fn func(E)) {
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if e, ok := msg.(E); ok {
			fn(e)
		}
		return core.Result{OK: true}
	})
}

func TestHandler_OutputHandlerShutsDownItsOwnProcess(t *testing.T) {
	c, svc := newTestService(t, Options{GracePeriod: 10 * time.Second})
	result := make(chan error, 1)
	onEvent(c, func(e ActionProcessOutput) {
		if e.Line != "first" {
			return
		}
		p, err := svc.Get(e.ID)
		if err == nil {
			err = p.Shutdown()
		}
		result <- err
	})

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "echo first; exec sleep 300"}})
	select {
	case err := <-result:
		assert.NoError(t, err, "Shutdown from the handler")
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown called from an output handler did not return")
	}
	waitDone(t, p, 10*time.Second)
	assert.Equal(t, StatusKilled, p.Info().Status)
	assert.Equal(t, "SIGTERM", p.Info().Signal)
}

func TestHandler_OutputHandlerWaitsForItsOwnProcess(t *testing.T) {
	c, svc := newTestService(t, Options{})
	result := make(chan error, 1)
	onEvent(c, func(e ActionProcessOutput) {
		if e.Line != "a" {
			return
		}
		p, err := svc.Get(e.ID)
		if err == nil {
			err = p.Wait()
		}
		result <- err
	})

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "echo a; echo b; exit 3"}})
	select {
	case err := <-result:
		var exitErr *ExitError
		require.ErrorAs(t, err, &exitErr, "Wait from the handler returns the exit")
		assert.Equal(t, 3, exitErr.Code)
	case <-time.After(10 * time.Second):
		t.Fatal("Wait called from an output handler did not return")
	}
	waitDone(t, p, 10*time.Second)
	assert.Equal(t, "a\nb\n", p.Output(), "the rest of the output was delivered after the handler returned")
}

func TestHandler_ExitHandlerCallsProcessWaitOnItsOwnProcess(t *testing.T) {
	c, svc := newTestService(t, Options{})
	result := make(chan core.Result, 1)
	onEvent(c, func(e ActionProcessExited) {
		result <- c.Action("process.wait").Run(context.Background(), core.NewOptions(core.Option{Key: "id", Value: e.ID}))
	})

	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "echo done"}})
	r := awaitResult(t, result, "process.wait called from the exit handler did not return")
	require.True(t, r.OK, "%v", r.Value)
	info := r.Value.(ProcessInfo)
	assert.Equal(t, p.ID, info.ID)
	assert.Equal(t, StatusExited, info.Status)
	waitDone(t, p, 10*time.Second)
}

func TestHandler_StartHandlerWaitsForTheProcessItReports(t *testing.T) {
	c, svc := newTestService(t, Options{})
	result := make(chan error, 1)
	onEvent(c, func(e ActionProcessStarted) {
		p, err := svc.Get(e.ID)
		if err == nil {
			err = p.Wait()
		}
		result <- err
	})

	r := svc.Start(context.Background(), "true")
	require.True(t, r.OK, "%v", r.Value)
	p := r.Value.(*Process)
	select {
	case err := <-result:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Wait called from the start handler did not return")
	}
	waitDone(t, p, 10*time.Second)
}

func TestHandler_SlowHandler_SlowsOnlyItsOwnProcess(t *testing.T) {
	c, svc := newTestService(t, Options{})
	release := make(chan struct{})
	blocked := make(chan string, 1)
	onEvent(c, func(e ActionProcessOutput) {
		if e.Line == "slow" {
			blocked <- e.ID
			<-release
		}
	})

	slow := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "echo slow; echo more"}})
	require.Equal(t, slow.ID, <-blocked)
	r := svc.Run(context.Background(), "sh", "-c", "echo other")
	require.True(t, r.OK, "another process runs to completion while the handler blocks: %v", r.Value)
	assert.Equal(t, "other\n", r.Value)
	select {
	case <-slow.Done():
		t.Fatal("the process whose handler blocks is done before the handler returned")
	default:
	}
	close(release)
	waitDone(t, slow, 10*time.Second)
	assert.Equal(t, "slow\nmore\n", slow.Output())
}
