package process

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegistry_RegisterAndGet(t *testing.T) {
	reg := NewRegistry(t.TempDir())
	started := time.Now().UTC().Truncate(time.Second)
	entry := DaemonEntry{
		Code: "myapp", Daemon: "worker", PID: os.Getpid(),
		Health: "127.0.0.1:9000", Project: "test-project", Binary: "/usr/bin/worker",
		Started: started,
	}
	require.NoError(t, reg.Register(entry))

	got, ok := reg.Get("myapp", "worker")
	require.True(t, ok)
	assert.Equal(t, entry, *got)
}

func TestRegistry_Register_ZeroStarted_IsNow(t *testing.T) {
	reg := NewRegistry(t.TempDir())
	before := time.Now()
	require.NoError(t, reg.Register(DaemonEntry{Code: "a", Daemon: "b", PID: os.Getpid()}))
	got, ok := reg.Get("a", "b")
	require.True(t, ok)
	assert.False(t, got.Started.Before(before.Truncate(time.Second)))
	assert.False(t, got.Started.After(time.Now()))
}

func TestRegistry_Unregister_RemovesTheFile(t *testing.T) {
	dir := t.TempDir()
	reg := NewRegistry(dir)
	require.NoError(t, reg.Register(DaemonEntry{Code: "myapp", Daemon: "server", PID: os.Getpid()}))
	path := filepath.Join(dir, "myapp-server.json")
	_, err := os.Stat(path)
	require.NoError(t, err)

	require.NoError(t, reg.Unregister("myapp", "server"))
	_, err = os.Stat(path)
	assert.True(t, os.IsNotExist(err))
	require.NoError(t, reg.Unregister("myapp", "server"), "a missing entry is not an error")
}

func TestRegistry_List_AliveEntries(t *testing.T) {
	reg := NewRegistry(t.TempDir())
	require.NoError(t, reg.Register(DaemonEntry{Code: "app2", Daemon: "api", PID: os.Getpid()}))
	require.NoError(t, reg.Register(DaemonEntry{Code: "app1", Daemon: "web", PID: os.Getpid()}))
	entries, err := reg.List()
	require.NoError(t, err)
	require.Len(t, entries, 2)
	assert.Equal(t, "app1", entries[0].Code)
	assert.Equal(t, "app2", entries[1].Code)
}

func TestRegistry_List_MissingDirectory_Empty(t *testing.T) {
	entries, err := NewRegistry(filepath.Join(t.TempDir(), "none")).List()
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestRegistry_List_PrunesDeadEntries(t *testing.T) {
	dir := t.TempDir()
	reg := NewRegistry(dir)
	require.NoError(t, reg.Register(DaemonEntry{Code: "dead", Daemon: "proc", PID: 999999999}))
	path := filepath.Join(dir, "dead-proc.json")
	_, err := os.Stat(path)
	require.NoError(t, err)

	entries, err := reg.List()
	require.NoError(t, err)
	assert.Empty(t, entries)
	_, err = os.Stat(path)
	assert.True(t, os.IsNotExist(err))
}

// startSleeper starts `sleep 60`, killed and reaped when the test ends.
func startSleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// An entry whose PID now belongs to another process — one that started
// after the entry's process — is not listed, and its file goes.
func TestRegistry_PIDReusedByAnotherProcess_NotListed(t *testing.T) {
	dir := t.TempDir()
	reg := NewRegistry(dir)
	other := startSleeper(t)
	pid := other.Process.Pid
	require.NoError(t, reg.Register(DaemonEntry{Code: "app", Daemon: "reused", PID: pid}))
	_, ok := reg.Get("app", "reused")
	require.True(t, ok, "precondition: the entry of the live process is listed")

	// The entry as it would be had a process registered and died, and
	// its PID been given to the sleeper: the recorded start time is not
	// the sleeper's.
	path := filepath.Join(dir, "app-reused.json")
	var f map[string]any
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &f))
	f["processStart"] = f["processStart"].(float64) - 1
	data, err = json.Marshal(f)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))

	entries, err := reg.List()
	require.NoError(t, err)
	assert.Empty(t, entries)
	_, ok = reg.Get("app", "reused")
	assert.False(t, ok)
	_, err = os.Stat(path)
	assert.True(t, os.IsNotExist(err), "the reused entry's file is pruned")
}

// An entry written without a start time (by another program) counts only
// while its PID's process had started by the time it registered.
func TestRegistry_EntryWithoutStartTime_PIDStartedLater_NotListed(t *testing.T) {
	dir := t.TempDir()
	reg := NewRegistry(dir)
	pid := startSleeper(t).Process.Pid
	write := func(started time.Time) {
		data, err := json.Marshal(DaemonEntry{Code: "foreign", Daemon: "d", PID: pid, Started: started})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "foreign-d.json"), data, 0o644))
	}
	write(time.Now().Add(time.Minute))
	_, ok := reg.Get("foreign", "d")
	require.True(t, ok, "registered after the process started: alive")

	write(time.Now().Add(-time.Hour))
	_, ok = reg.Get("foreign", "d")
	assert.False(t, ok, "registered an hour before the process started: another process's PID")
}

func TestRegistry_ZombieCountsAsDead(t *testing.T) {
	cmd := exec.Command("true")
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	t.Cleanup(func() { _ = cmd.Wait() })
	// Not waited for yet: once it has exited it is a zombie.
	require.Eventually(t, func() bool {
		state, _, ok := procStat(pid)
		return ok && state == 'Z'
	}, 10*time.Second, 5*time.Millisecond)

	reg := NewRegistry(t.TempDir())
	require.NoError(t, reg.Register(DaemonEntry{Code: "z", Daemon: "d", PID: pid}))
	_, ok := reg.Get("z", "d")
	assert.False(t, ok)
}

func TestRegistry_List_PrunesCorruptEntries(t *testing.T) {
	dir := t.TempDir()
	reg := NewRegistry(dir)
	require.NoError(t, reg.Register(DaemonEntry{Code: "good", Daemon: "d", PID: os.Getpid()}))
	corrupt := map[string]string{
		"broken-json.json": "{not json",
		"no-code.json":     `{"daemon":"x","pid":1}`,
		"no-pid.json":      `{"code":"x","daemon":"y"}`,
		"wrong-type.json":  `{"code":"x","daemon":"y","pid":"12"}`,
	}
	for name, content := range corrupt {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	entries, err := reg.List()
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "good", entries[0].Code)
	for name := range corrupt {
		_, err := os.Stat(filepath.Join(dir, name))
		assert.True(t, os.IsNotExist(err), "%s pruned", name)
	}
}

func TestRegistry_CreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "deep", "daemons")
	require.NoError(t, NewRegistry(dir).Register(DaemonEntry{Code: "app", Daemon: "srv", PID: os.Getpid()}))
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, info.IsDir())
}

func TestRegistry_InvalidNames_ErrorNamesThem(t *testing.T) {
	reg := NewRegistry(t.TempDir())
	for _, e := range []DaemonEntry{
		{Code: "", Daemon: "d"}, {Code: "c", Daemon: ""}, {Code: "../x", Daemon: "d"},
		{Code: "c", Daemon: "a/b"}, {Code: "..", Daemon: "d"},
	} {
		e.PID = os.Getpid()
		err := reg.Register(e)
		require.Error(t, err, "%+v", e)
		assert.Contains(t, err.Error(), "invalid code/daemon")
	}
	err := reg.Register(DaemonEntry{Code: "c", Daemon: "d"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid PID 0")
}

// Writers replacing an entry while readers read it: a reader sees a whole
// entry every time, and no temporary file is left behind.
func TestRegistry_Register_Atomic_ReadersNeverSeeAPartialEntry(t *testing.T) {
	dir := t.TempDir()
	reg := NewRegistry(dir)
	long := strings.Repeat("p", 64<<10)
	require.NoError(t, reg.Register(DaemonEntry{Code: "a", Daemon: "b", PID: os.Getpid(), Project: long}))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := reg.Register(DaemonEntry{Code: "a", Daemon: "b", PID: os.Getpid(), Project: long}); err != nil {
				t.Errorf("register: %v", err)
				return
			}
		}
	})
	for range 300 {
		got, ok := reg.Get("a", "b")
		if !assert.True(t, ok) {
			break
		}
		assert.Len(t, got.Project, len(long))
	}
	close(stop)
	wg.Wait()
	names, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, names, 1)
	assert.Equal(t, "a-b.json", names[0].Name())
}

func TestDefaultRegistry_IsUnderHomeDotCoreDaemons(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	assert.Equal(t, filepath.Join(home, ".core", "daemons"), DefaultRegistry().Dir())
}
