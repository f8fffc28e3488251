package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Behaviour 9 of issue #3: concurrent starts and kills neither panic nor
// deadlock nor leave a process behind, and many processes leave no file
// descriptor or goroutine behind.

// watchdog fails the test with every goroutine's stack if done is not
// closed within d: a deadlock shows where everyone is stuck.
func watchdog(t testing.TB, done <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(d):
		buf := make([]byte, 1<<22)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%s did not finish within %v (deadlock?); goroutines:\n%s", what, d, buf)
	}
}

// pidSet collects PIDs from many goroutines and kills the live ones when
// the test ends.
type pidSet struct {
	mu   sync.Mutex
	pids []int
}

func newPIDSet(t testing.TB) *pidSet {
	s := &pidSet{}
	t.Cleanup(func() {
		for _, pid := range s.list() {
			if pidAlive(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	return s
}

func (s *pidSet) add(pid int) {
	s.mu.Lock()
	s.pids = append(s.pids, pid)
	s.mu.Unlock()
}

func (s *pidSet) list() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.pids...)
}

// openFDs counts this program's open file descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(entries)
}

// ignorableKillError reports whether err is an acceptable result of a stop
// that raced another stop of the same process.
func ignorableKillError(err error) bool {
	return err == nil || errors.Is(err, ErrProcessNotRunning)
}

func TestService_ConcurrentStartKill_NoPanicNoDeadlockNoSurvivor(t *testing.T) {
	c, svc := newTestService(t, Options{GracePeriod: 500 * time.Millisecond})
	pids := newPIDSet(t)

	const pairs = 100
	procs := make([]*Process, pairs)
	errs := make(chan error, 4*pairs)
	stopReaders := make(chan struct{})

	var readers sync.WaitGroup
	for range 4 {
		// Readers of the table and of every process's state, racing the
		// starts and kills.
		readers.Go(func() {
			for {
				select {
				case <-stopReaders:
					return
				default:
				}
				for _, p := range svc.List() {
					_ = p.Info()
					_ = p.Output()
					_ = svc.IsRunning(p.ID)
				}
				_ = svc.Running()
				r := c.Action("process.list").Run(context.Background(), core.NewOptions())
				if !r.OK {
					errs <- fmt.Errorf("process.list: %v", r.Value)
					return
				}
			}
		})
	}

	var workers sync.WaitGroup
	for i := range pairs {
		workers.Go(func() {
			r := svc.StartWithOptions(context.Background(), RunOptions{Command: "sleep", Args: []string{"300"}})
			if !r.OK {
				errs <- fmt.Errorf("start %d: %v", i, r.Value)
				return
			}
			p := r.Value.(*Process)
			pids.add(p.PID)
			procs[i] = p
			switch i % 4 {
			case 0: // Process.Kill
				if err := p.Kill(); err != nil {
					errs <- fmt.Errorf("kill %d: %w", i, err)
				}
			case 1: // Service.Kill by ID
				if err := svc.Kill(p.ID); err != nil {
					errs <- fmt.Errorf("svc.Kill %d: %w", i, err)
				}
			case 2: // the process.kill action by ID
				r := c.Process().Kill(context.Background(), core.NewOptions(core.Option{Key: "id", Value: p.ID}))
				if !r.OK {
					errs <- fmt.Errorf("process.kill %d: %v", i, r.Value)
				}
			case 3: // Kill racing Shutdown and another Kill
				var race sync.WaitGroup
				race.Go(func() {
					if err := p.Shutdown(); !ignorableKillError(err) {
						errs <- fmt.Errorf("shutdown %d: %w", i, err)
					}
				})
				race.Go(func() {
					if err := p.Kill(); !ignorableKillError(err) {
						errs <- fmt.Errorf("racing kill %d: %w", i, err)
					}
				})
				if err := p.Kill(); !ignorableKillError(err) {
					errs <- fmt.Errorf("kill %d: %w", i, err)
				}
				race.Wait()
			}
			<-p.Done()
			// Killing it again is harmless and says so.
			if err := p.Kill(); !errors.Is(err, ErrProcessNotRunning) {
				errs <- fmt.Errorf("kill %d after it ended: got %v, want ErrProcessNotRunning", i, err)
			}
		})
	}

	finished := make(chan struct{})
	go func() {
		workers.Wait()
		close(stopReaders)
		readers.Wait()
		close(finished)
	}()
	watchdog(t, finished, 2*time.Minute, "100 concurrent start/kill pairs")

	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, p := range procs {
		if !assert.NotNil(t, p, "pair %d started", i) {
			continue
		}
		info := p.Info()
		assert.Equal(t, StatusKilled, info.Status, "pair %d", i)
		assert.False(t, info.Running, "pair %d", i)
		if i%4 != 3 {
			assert.Equal(t, "SIGKILL", info.Signal, "pair %d", i)
		}
	}
	assert.Empty(t, svc.Running(), "nothing left running")
	for _, pid := range pids.list() {
		waitGone(t, pid, 10*time.Second)
	}
}

func TestService_ManyProcesses_LeaveNoFileDescriptorOrGoroutine(t *testing.T) {
	c, svc := newTestService(t, Options{GracePeriod: 500 * time.Millisecond, KeepFinished: 1000})
	pids := newPIDSet(t)

	// Warm up: the first start creates what lives as long as the program
	// (the forking goroutine and its thread, the runtime's poller).
	r := c.Process().Run(context.Background(), "true")
	require.True(t, r.OK, "warm-up run: %v", r.Value)
	p := startProcess(t, svc, RunOptions{Command: "sleep", Args: []string{"300"}})
	require.NoError(t, p.Kill())
	waitDone(t, p, 10*time.Second)

	fdsBefore := openFDs(t)
	goroutinesBefore := goleak.IgnoreCurrent()

	const runs, starts, workers = 100, 100, 8
	jobs := make(chan int)
	errs := make(chan error, runs+starts)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if i < runs {
					if r := c.Process().Run(context.Background(), "true"); !r.OK {
						errs <- fmt.Errorf("run %d: %v", i, r.Value)
					}
					continue
				}
				r := svc.StartWithOptions(context.Background(), RunOptions{Command: "sleep", Args: []string{"300"}})
				if !r.OK {
					errs <- fmt.Errorf("start %d: %v", i, r.Value)
					continue
				}
				p := r.Value.(*Process)
				pids.add(p.PID)
				if err := p.Kill(); err != nil {
					errs <- fmt.Errorf("kill %d: %w", i, err)
				}
				<-p.Done()
			}
		})
	}
	finished := make(chan struct{})
	go func() {
		for i := range runs + starts {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(finished)
	}()
	watchdog(t, finished, 3*time.Minute, "200 processes")
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Len(t, svc.List(), 1+1+runs+starts, "every process is in the table")
	assert.Empty(t, svc.Running())
	for _, pid := range pids.list() {
		waitGone(t, pid, 10*time.Second)
	}

	// Descriptors are closed as each process is drained; poll to a deadline.
	fdsAfter := openFDs(t)
	for deadline := time.Now().Add(10 * time.Second); fdsAfter > fdsBefore && time.Now().Before(deadline); {
		<-time.After(10 * time.Millisecond)
		fdsAfter = openFDs(t)
	}
	assert.LessOrEqual(t, fdsAfter, fdsBefore, "open file descriptors: %d before, %d after", fdsBefore, fdsAfter)

	var leak error
	deadline := time.Now().Add(10 * time.Second)
	for {
		leak = goleak.Find(append(leakOptions(), goroutinesBefore)...)
		if leak == nil || time.Now().After(deadline) {
			break
		}
	}
	assert.NoError(t, leak, "goroutines left behind by 200 processes")
}
