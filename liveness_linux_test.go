package process

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcessStart_LiveProcess_StartTimeNearNow(t *testing.T) {
	before := time.Now()
	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ticks, alive := processStart(cmd.Process.Pid)
	require.True(t, alive)
	started, ok := startWallTime(ticks)
	require.True(t, ok)
	// The boot time is known to the second.
	assert.WithinDuration(t, before, started, 2*time.Second)
	own, alive := processStart(os.Getpid())
	require.True(t, alive)
	assert.Less(t, own, ticks, "this program started before its child")
}

func TestProcessStart_DeadOrInvalid_NotAlive(t *testing.T) {
	for _, pid := range []int{0, -1, 999999999} {
		_, alive := processStart(pid)
		assert.False(t, alive, "%d", pid)
	}
}

func TestStartWallTime_LongUptime_NoOverflow(t *testing.T) {
	boot, ok := bootTime()
	require.True(t, ok)
	tenYears := uint64(10*365*24*3600) * clockTicks
	got, ok := startWallTime(tenYears + 50)
	require.True(t, ok)
	assert.Equal(t, boot.Add(10*365*24*time.Hour+500*time.Millisecond), got)
}
