package process

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 9, item 5: the PID fallback never signals this program itself, and
// "id" with a "pid" that is not that process's is refused.

// otherThreadID returns the ID of a thread of this program that is not its
// main thread, locked for the test's duration.
func otherThreadID(t *testing.T) int {
	t.Helper()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	// A locked goroutine may get the main thread; it then keeps it, so the
	// next one cannot.
	for range 3 {
		tid := make(chan int)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tid <- syscall.Gettid()
			<-release
		}()
		if id := <-tid; id != os.Getpid() {
			_, err := os.Stat("/proc/self/task/" + strconv.Itoa(id))
			require.NoError(t, err, "thread %d is one of ours", id)
			return id
		}
	}
	t.Fatal("no thread other than the main one")
	return 0
}

func TestHandlers_PIDOfAThreadOfThisProgram_Refused(t *testing.T) {
	c, _ := newTestService(t, Options{})
	tid := otherThreadID(t)

	for _, action := range []string{"process.kill", "process.signal"} {
		opts := i3Opts("pid", tid)
		if action == "process.signal" {
			opts = i3Opts("pid", tid, "signal", "SIGUSR2") // would end the test binary
		}
		err := i3Err(t, i3Run(t, c, action, opts))
		assert.Contains(t, err.Error(), action)
		assert.Contains(t, err.Error(), `"pid"`)
		assert.Contains(t, err.Error(), "thread of this program")
	}
}

func TestHandlers_IDWithAnotherPID_RefusedNamingBothKeys(t *testing.T) {
	c, svc := newTestService(t, Options{})
	target := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"300"}})
	other := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"300"}})

	for _, action := range []string{"process.kill", "process.signal"} {
		opts := i3Opts("id", target.ID, "pid", other.PID)
		if action == "process.signal" {
			opts = i3Opts("id", target.ID, "pid", other.PID, "signal", "SIGTERM")
		}
		err := i3Err(t, i3Run(t, c, action, opts))
		assert.Contains(t, err.Error(), action)
		assert.Contains(t, err.Error(), `"id"`)
		assert.Contains(t, err.Error(), `"pid"`)
	}
	assert.True(t, target.IsRunning(), "neither process was signalled")
	assert.True(t, other.IsRunning())

	// The matching pair is accepted.
	r := i3Run(t, c, "process.kill", i3Opts("id", target.ID, "pid", target.PID))
	require.True(t, r.OK, "%v", r.Value)
	waitDone(t, target, 10*time.Second)
	assert.Equal(t, StatusKilled, target.Info().Status)
}

func TestNewService_OneFactoryForManyCores_NoSharedState(t *testing.T) {
	factory := NewService(Options{GracePeriod: 0}) // defaults filled per Core
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c := core.New(core.WithService(factory))
			svc, ok := core.ServiceFor[*Service](c, "process")
			if !assert.True(t, ok) {
				return
			}
			assert.Equal(t, DefaultGracePeriod, svc.Options().GracePeriod)
			assert.Equal(t, DefaultBufferSize, svc.Options().BufferSize)
			r := svc.Run(t.Context(), "true")
			assert.True(t, r.OK, "%v", r.Value)
		})
	}
	wg.Wait()
}
