package cluster_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
	"dappco.re/go/core/process/cluster/internal/natstest"
)

func TestCluster_ThreeServers_OneShutDown_ApplyPSRestartStillWork(t *testing.T) {
	servers := natstest.Cluster(t, 3)
	urls := natstest.URLs(servers)
	keeper := newPIDKeeper(t)
	st := openStore(t, urls)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for _, bucket := range []string{cluster.BucketDesired, cluster.BucketState, cluster.BucketNodes} {
		require.Equal(t, 3, replicasOf(t, st, "KV_"+bucket), "bucket %s", bucket)
	}
	require.Equal(t, 3, replicasOf(t, st, cluster.Stream))

	// The client and n1 are connected to servers[0], which goes; n2 to
	// servers[1].
	runAgent(t, servers[0].ClientURL()+","+servers[1].ClientURL(), "n1", nil)
	runAgent(t, servers[1].ClientURL()+","+servers[2].ClientURL(), "n2", nil)
	awaitNodes(t, st, "n1", "n2")
	a, b := marker(), marker()
	apply(t, st, cluster.Placement{Spec: sleeperSpec("a", a), Replicas: 2})
	awaitRows(t, st, keeper, "a-0 and a-1 ready, one on each node", states(map[string]string{"n1/a-0": "ready", "n2/a-1": "ready"}))

	require.Equal(t, servers[0].ClientURL(), st.NC.ConnectedUrl())
	servers[0].Shutdown()
	servers[0].WaitForShutdown()
	require.Eventually(t, st.NC.IsConnected, within, 10*time.Millisecond, "the client never reconnected")
	t.Logf("client now on %s", st.NC.ConnectedUrl())

	apply(t, st, cluster.Placement{Spec: sleeperSpec("a", a), Replicas: 2}, cluster.Placement{Spec: sleeperSpec("b", b), Nodes: []string{"n1"}})
	rows := awaitRows(t, st, keeper, "b ready on n1 too", states(map[string]string{"n1/a-0": "ready", "n2/a-1": "ready", "n1/b": "ready"}))
	old := rows["n1/b"].Info.PID

	reply, err := st.Control(ctx, "n1", cluster.OpRestart, cluster.ControlRequest{Unit: "b"})
	require.NoError(t, err)
	var info process.UnitInfo
	require.NoError(t, json.Unmarshal(reply, &info))
	assert.NotEqual(t, old, info.PID)
	awaitRows(t, st, keeper, "b's new PID", func(rows map[string]cluster.Row) bool {
		return rows["n1/b"].State == "ready" && rows["n1/b"].Info.PID == info.PID
	})
	assert.Equal(t, []int{info.PID}, withArgv("sleep", b))
	assert.Len(t, withArgv("sleep", a), 2, "one replica per node")
}

// replicasOf returns the replica count of a stream (a bucket is the
// stream KV_<bucket>).
func replicasOf(t *testing.T, st *cluster.Store, stream string) int {
	t.Helper()
	s, err := st.JS.Stream(context.Background(), stream)
	require.NoError(t, err)
	return s.CachedInfo().Config.Replicas
}
