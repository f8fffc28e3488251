package cluster_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
	"dappco.re/go/core/process/cluster/agent"
	"dappco.re/go/core/process/cluster/internal/natstest"
)

func TestAgentPermissions_AreEnoughToRunUnits_AndNoMore(t *testing.T) {
	pub, sub := cluster.AgentPermissions("n1")
	srv := natstest.ServerWithUsers(t, []*server.User{
		{Username: "admin", Password: "admin-pw"},
		{Username: "n1", Password: "n1-pw", Permissions: &server.Permissions{
			Publish:   &server.SubjectPermission{Allow: pub},
			Subscribe: &server.SubjectPermission{Allow: sub},
		}},
	})
	url := srv.ClientURL()
	keeper := newPIDKeeper(t)
	admin, err := nats.Connect(url, nats.UserInfo("admin", "admin-pw"))
	require.NoError(t, err)
	t.Cleanup(admin.Close)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	st, err := cluster.Open(ctx, admin, testStorage)
	require.NoError(t, err)

	agentCtx, stopAgent := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- agent.Run(agentCtx, agent.Options{URL: url, Node: "n1", Storage: testStorage,
			NATS: []nats.Option{nats.UserInfo("n1", "n1-pw")}})
	}()
	t.Cleanup(func() {
		stopAgent()
		<-done
	})
	awaitNodes(t, st, "n1")
	arg := marker()
	apply(t, st, cluster.Placement{Spec: cluster.Spec{Name: "web", Command: "sh",
		Args: []string{"-c", "echo permitted; exec sleep " + arg}}})
	rows := awaitRows(t, st, keeper, "web ready", states(map[string]string{"n1/web": "ready"}))

	reply, err := st.Control(ctx, "n1", cluster.OpRestart, cluster.ControlRequest{Unit: "web"})
	require.NoError(t, err)
	var info process.UnitInfo
	require.NoError(t, json.Unmarshal(reply, &info))
	assert.NotEqual(t, rows["n1/web"].Info.PID, info.PID)
	var out testWriter
	require.Eventually(t, func() bool {
		out.reset()
		return st.Logs(ctx, "n1", "web", false, &out) == nil && out.count("permitted\n") == 2
	}, within, 20*time.Millisecond, "logs: %q", &out)

	// The same user may not write another node's state.
	n1, err := nats.Connect(url, nats.UserInfo("n1", "n1-pw"), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	require.NoError(t, err)
	t.Cleanup(n1.Close)
	other, err := cluster.Open(ctx, n1, testStorage)
	require.NoError(t, err)
	_, err = other.StateKV.Put(ctx, cluster.StateKey("n1", "probe"), []byte("{}"))
	assert.NoError(t, err, "n1's user writes n1's state")
	short, cancelShort := context.WithTimeout(ctx, 2*time.Second)
	defer cancelShort()
	_, err = other.StateKV.Put(short, cluster.StateKey("n2", "web"), []byte("{}"))
	assert.Error(t, err, "n1's user wrote n2's state")
}
