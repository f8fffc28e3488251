package cluster_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process/cluster"
	"dappco.re/go/core/process/cluster/internal/natstest"
)

func TestCluster_AgentKilled_StartedAgainReconcilesWithoutRunningTwice(t *testing.T) {
	srv := natstest.Server(t)
	keeper := newPIDKeeper(t)
	st := openStore(t, srv.ClientURL())
	first := agentProcess(t, srv.ClientURL(), "n1")
	awaitNodes(t, st, "n1")
	a, b := marker(), marker()
	apply(t, st, cluster.Placement{Spec: sleeperSpec("a", a)}, cluster.Placement{Spec: sleeperSpec("b", b)})
	rows := awaitRows(t, st, keeper, "a and b ready", states(map[string]string{"n1/a": "ready", "n1/b": "ready"}))
	old := []int{rows["n1/a"].Info.PID, rows["n1/b"].Info.PID}

	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	_ = first.Wait()
	agentProcess(t, srv.ClientURL(), "n1")

	rows = awaitRows(t, st, keeper, "a and b ready under new PIDs", func(rows map[string]cluster.Row) bool {
		return states(map[string]string{"n1/a": "ready", "n1/b": "ready"})(rows) &&
			rows["n1/a"].Info.PID != old[0] && rows["n1/b"].Info.PID != old[1]
	})
	for _, pid := range old {
		assert.False(t, alive(pid), "the killed agent's process %d died with it", pid)
	}
	// Counted again and again for a while: never two of a unit.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		require.Equal(t, []int{rows["n1/a"].Info.PID}, withArgv("sleep", a))
		require.Equal(t, []int{rows["n1/b"].Info.PID}, withArgv("sleep", b))
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCluster_SilentNode_ShownLostWithinItsTTL_UnitsUnknown(t *testing.T) {
	srv := natstest.Server(t)
	keeper := newPIDKeeper(t)
	st := openStore(t, srv.ClientURL())
	runAgent(t, srv.ClientURL(), "steady", nil)
	quiet := agentProcess(t, srv.ClientURL(), "quiet")
	awaitNodes(t, st, "steady", "quiet")
	sArg, qArg := marker(), marker()
	apply(t, st,
		cluster.Placement{Spec: sleeperSpec("s", sArg), Nodes: []string{"steady"}},
		cluster.Placement{Spec: sleeperSpec("q", qArg), Nodes: []string{"quiet"}})
	awaitRows(t, st, keeper, "both ready", states(map[string]string{"steady/s": "ready", "quiet/q": "ready"}))

	require.NoError(t, quiet.Process.Signal(syscall.SIGSTOP))
	stoppedAt := time.Now()

	awaitRows(t, st, keeper, "quiet's unit unknown", states(map[string]string{"steady/s": "ready", "quiet/q": cluster.StateUnknown}))
	lostAfter := time.Since(stoppedAt)
	t.Logf("lost after %v (TTL %v)", lostAfter, testStorage.NodeTTL)
	nodes, err := st.Nodes(t.Context())
	require.NoError(t, err)
	require.Len(t, nodes, 2)
	assert.Equal(t, "quiet", nodes[0].Name)
	assert.False(t, nodes[0].Alive, "quiet is lost")
	assert.True(t, nodes[1].Alive, "steady is alive")
	_, err = st.Control(t.Context(), "quiet", cluster.OpRestart, cluster.ControlRequest{Unit: "q"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `node "quiet" is lost`)

	// Applied again, q goes to a live node, and quiet's list is emptied:
	// back, quiet downs its copy.
	rows := awaitRows(t, st, keeper, "quiet's q", states(map[string]string{"steady/s": "ready", "quiet/q": cluster.StateUnknown}))
	oldQ := rows["quiet/q"].Info.PID
	lists := apply(t, st,
		cluster.Placement{Spec: sleeperSpec("s", sArg), Nodes: []string{"steady"}},
		cluster.Placement{Spec: sleeperSpec("q", qArg)})
	assert.Equal(t, []string{"s", "q"}, namesOf(lists["steady"]))
	assert.Empty(t, lists["quiet"])
	require.NoError(t, quiet.Process.Signal(syscall.SIGCONT))
	rows = awaitRows(t, st, keeper, "q on steady only", states(map[string]string{"steady/s": "ready", "steady/q": "ready"}))
	assert.False(t, alive(oldQ), "quiet downed its copy of q")
	assert.Equal(t, []int{rows["steady/q"].Info.PID}, withArgv("sleep", qArg))
}
