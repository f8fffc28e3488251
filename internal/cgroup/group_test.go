package cgroup

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnescape_MountinfoOctalEscapes(t *testing.T) {
	assert.Equal(t, "/a b/c\td", unescape(`/a\040b/c\011d`))
	assert.Equal(t, "/plain", unescape("/plain"))
	assert.Equal(t, `/trailing\04`, unescape(`/trailing\04`), "a short escape is kept as it is")
}

func TestField_FlatKeyedFile(t *testing.T) {
	data := []byte("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n")
	v, ok := field(data, "user_usec")
	assert.True(t, ok)
	assert.Equal(t, int64(1000), v)
	_, ok = field(data, "missing")
	assert.False(t, ok)
}

// testGroup makes a cgroup for the test under this program's own and
// removes it at the end.
func testGroup(t *testing.T) Group {
	t.Helper()
	dir, path, err := Own()
	require.NoError(t, err, "this machine has a writable cgroup v2 hierarchy")
	g := At(dir, path).Child(fmt.Sprintf("cgroup-test-%d-%d", os.Getpid(), time.Now().UnixNano()))
	require.NoError(t, g.Make())
	t.Cleanup(func() {
		_ = g.Kill()
		require.Eventually(t, func() bool { return g.Remove() == nil }, 10*time.Second, 5*time.Millisecond)
	})
	return g
}

// startIn starts argv in g and returns its PID; the test reaps it.
func startIn(t *testing.T, g Group, argv ...string) *exec.Cmd {
	t.Helper()
	dir, err := g.Open()
	require.NoError(t, err)
	defer dir.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	StartIn(cmd.SysProcAttr, dir)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

func TestGroup_MembersSignalKillAndPopulated(t *testing.T) {
	g := testGroup(t)
	populated, err := g.Populated()
	require.NoError(t, err)
	assert.False(t, populated)

	cmd := startIn(t, g, "sleep", "300")
	members, err := g.Members()
	require.NoError(t, err)
	assert.Equal(t, []int{cmd.Process.Pid}, members)
	path, err := PathOf(cmd.Process.Pid)
	require.NoError(t, err)
	assert.Equal(t, g.Path(), path, "in the cgroup from its start")

	n, err := g.Signal(syscall.SIGSTOP)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	require.NoError(t, g.Kill())
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal())
	require.Eventually(t, func() bool {
		populated, err := g.Populated()
		return err == nil && !populated
	}, 10*time.Second, time.Millisecond)
	assert.Equal(t, int64(0), g.Usage(g.HasMemoryPeak()).MaxRSS, "no memory controller here: no peak")
}

func TestGroup_SignalMember_RefusesAProcessOutsideIt(t *testing.T) {
	g := testGroup(t)
	outside := exec.Command("sleep", "300")
	require.NoError(t, outside.Start())
	t.Cleanup(func() { _ = outside.Process.Kill(); _ = outside.Wait() })

	assert.ErrorIs(t, g.SignalMember(outside.Process.Pid, syscall.SIGKILL), syscall.ESRCH)
	_, err := os.Stat(fmt.Sprintf("/proc/%d", outside.Process.Pid))
	assert.NoError(t, err, "left alone")
}

func TestGroup_Claim_OnlyOneHolderAtATime(t *testing.T) {
	g := testGroup(t)
	release, ok := g.Claim()
	require.True(t, ok)
	_, again := g.Claim()
	assert.False(t, again, "already claimed")
	release()
	release2, ok := g.Claim()
	require.True(t, ok, "free again once released")
	release2()
}

func TestGroup_Remove_NestedAndMissing(t *testing.T) {
	g := testGroup(t)
	require.NoError(t, g.Child("a").Child("b").Make())
	require.NoError(t, g.Child("a").Remove(), "nested cgroups go first")
	assert.False(t, g.Child("a").Exists())
	assert.NoError(t, g.Child("never").Remove(), "a missing cgroup is already removed")
	populated, err := g.Child("never").Populated()
	assert.NoError(t, err)
	assert.False(t, populated)
}
