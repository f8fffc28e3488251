package cluster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
	"dappco.re/go/core/process/cluster/agent"
	"dappco.re/go/core/process/cluster/internal/natstest"
)

func TestCluster_SingleServer_ApplyRunsUnit_RestartGivesNewPID(t *testing.T) {
	srv := natstest.Server(t)
	keeper := newPIDKeeper(t)
	runAgent(t, srv.ClientURL(), "n1", nil)
	st := openStore(t, srv.ClientURL())
	awaitNodes(t, st, "n1")
	arg := marker()

	apply(t, st, cluster.Placement{Spec: sleeperSpec("web", arg)})

	rows := awaitRows(t, st, keeper, "n1/web ready", states(map[string]string{"n1/web": "ready"}))
	first := rows["n1/web"].Info.PID
	require.NotZero(t, first)
	assert.Equal(t, []int{first}, withArgv("sleep", arg), "one process runs the unit")

	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	reply, err := st.Control(ctx, "n1", cluster.OpRestart, cluster.ControlRequest{Unit: "web"})
	require.NoError(t, err)
	var info process.UnitInfo
	require.NoError(t, json.Unmarshal(reply, &info))
	assert.Equal(t, process.UnitReady, info.State)
	assert.NotEqual(t, first, info.PID, "restart: a new process")
	assert.False(t, alive(first), "the old process %d is gone", first)
	awaitRows(t, st, keeper, "the new PID", func(rows map[string]cluster.Row) bool {
		return rows["n1/web"].Info.PID == info.PID && rows["n1/web"].State == "ready"
	})
	assert.Equal(t, []int{info.PID}, withArgv("sleep", arg))
}

func TestCluster_Reapply_UnchangedUnitKeepsPID_ChangedOneRestarts(t *testing.T) {
	srv := natstest.Server(t)
	keeper := newPIDKeeper(t)
	runAgent(t, srv.ClientURL(), "n1", nil)
	st := openStore(t, srv.ClientURL())
	awaitNodes(t, st, "n1")
	a, b := marker(), marker()
	apply(t, st, cluster.Placement{Spec: sleeperSpec("a", a)}, cluster.Placement{Spec: sleeperSpec("b", b)})
	rows := awaitRows(t, st, keeper, "a and b ready", states(map[string]string{"n1/a": "ready", "n1/b": "ready"}))
	pidA, pidB := rows["n1/a"].Info.PID, rows["n1/b"].Info.PID

	changed := sleeperSpec("b", b)
	changed.Env = []string{"CHANGED=1"}
	apply(t, st, cluster.Placement{Spec: sleeperSpec("a", a)}, cluster.Placement{Spec: changed})

	rows = awaitRows(t, st, keeper, "b restarted", func(rows map[string]cluster.Row) bool {
		r := rows["n1/b"]
		return r.State == "ready" && r.Info.PID != pidB && r.Info.PID != 0
	})
	assert.Equal(t, pidA, rows["n1/a"].Info.PID, "a did not change: same process")
	assert.True(t, alive(pidA))
	assert.False(t, alive(pidB), "b's old process is gone")
	assert.Len(t, withArgv("sleep", a), 1)
	assert.Len(t, withArgv("sleep", b), 1)

	apply(t, st, cluster.Placement{Spec: sleeperSpec("a", a)})
	awaitRows(t, st, keeper, "b removed", states(map[string]string{"n1/a": "ready"}))
	assert.Empty(t, withArgv("sleep", b), "b was downed")
	assert.Equal(t, []int{pidA}, withArgv("sleep", a))
}

func TestCluster_Control_StopStartSignalLogs(t *testing.T) {
	srv := natstest.Server(t)
	keeper := newPIDKeeper(t)
	runAgent(t, srv.ClientURL(), "n1", nil)
	st := openStore(t, srv.ClientURL())
	awaitNodes(t, st, "n1")
	arg := marker()
	spec := cluster.Spec{Name: "talker", Command: "sh", Args: []string{"-c",
		`echo "hello from $UNIT_WORD"; trap 'echo got HUP' HUP; while :; do sleep 0.05; done; : ` + arg},
		Env: []string{"UNIT_WORD=the-cluster"}, GracePeriod: cluster.Duration(time.Second)}
	apply(t, st, cluster.Placement{Spec: spec})
	awaitRows(t, st, keeper, "talker ready", states(map[string]string{"n1/talker": "ready"}))
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()

	var out bytes.Buffer
	require.Eventually(t, func() bool {
		out.Reset()
		return st.Logs(ctx, "n1", "talker", false, &out) == nil && strings.Contains(out.String(), "hello from the-cluster")
	}, within, 20*time.Millisecond, "logs: %q", &out)

	_, err := st.Control(ctx, "n1", cluster.OpSignal, cluster.ControlRequest{Unit: "talker", Signal: "HUP"})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		reply, err := st.Control(ctx, "n1", cluster.OpLogs, cluster.ControlRequest{Unit: "talker"})
		var logs cluster.LogsReply
		return err == nil && json.Unmarshal(reply, &logs) == nil && strings.Contains(strings.Join(logs.Lines, "\n"), "got HUP")
	}, within, 20*time.Millisecond, "the unit never reported the HUP")

	_, err = st.Control(ctx, "n1", cluster.OpStop, cluster.ControlRequest{Unit: "talker"})
	require.NoError(t, err)
	awaitRows(t, st, keeper, "talker stopped", states(map[string]string{"n1/talker": "stopped"}))
	_, err = st.Control(ctx, "n1", cluster.OpStart, cluster.ControlRequest{Unit: "talker"})
	require.NoError(t, err)
	awaitRows(t, st, keeper, "talker ready again", states(map[string]string{"n1/talker": "ready"}))

	_, err = st.Control(ctx, "n1", cluster.OpRestart, cluster.ControlRequest{Unit: "nope"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown unit "nope"`)
	_, err = st.Control(ctx, "n9", cluster.OpRestart, cluster.ControlRequest{Unit: "talker"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown node "n9"`)
	_, err = st.Control(ctx, "n1", cluster.OpSignal, cluster.ControlRequest{Unit: "talker", Signal: "SIGNOPE"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown signal "SIGNOPE"`)
	err = st.Logs(ctx, "n1", "nope", false, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unknown unit n1/nope")
}

func TestCluster_Apply_UnplaceableUnit_ErrorNamesIt_NothingWritten(t *testing.T) {
	srv := natstest.Server(t)
	keeper := newPIDKeeper(t)
	runAgent(t, srv.ClientURL(), "n1", map[string]string{"disk": "ssd"})
	st := openStore(t, srv.ClientURL())
	awaitNodes(t, st, "n1")
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()

	_, err := st.Apply(ctx, []cluster.Placement{
		{Spec: sleeperSpec("ok", marker())},
		{Spec: sleeperSpec("gpu-job", marker()), Labels: map[string]string{"gpu": "yes"}},
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unit "gpu-job": no live node can take it (wanted: label gpu=yes)`)
	_, err = st.Apply(ctx, []cluster.Placement{{Spec: sleeperSpec("pinned", "1"), Nodes: []string{"n7"}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unit "pinned": unknown node "n7"`)

	lists, err := st.DesiredLists(ctx)
	require.NoError(t, err)
	assert.Empty(t, lists, "nothing was written")
	rows, err := st.PS(ctx)
	require.NoError(t, err)
	keeper.keep(rows)
	assert.Empty(t, rows)
}

func TestCluster_DesiredListsInQuickSuccession_EndOnTheNewest(t *testing.T) {
	srv := natstest.Server(t)
	keeper := newPIDKeeper(t)
	runAgent(t, srv.ClientURL(), "n1", nil)
	st := openStore(t, srv.ClientURL())
	awaitNodes(t, st, "n1")
	arg := marker()
	with, err := json.Marshal([]cluster.Spec{sleeperSpec("flip", arg)})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()

	// Present, absent, present, …: each list supersedes the one before,
	// often while its Apply is still stopping or starting the unit.
	for i := range 21 {
		list := []byte("[]")
		if i%2 == 0 {
			list = with
		}
		_, err := st.DesiredKV.Put(ctx, cluster.DesiredKey("n1"), list)
		require.NoError(t, err)
	}

	rows := awaitRows(t, st, keeper, "flip ready", states(map[string]string{"n1/flip": "ready"}))
	require.Eventually(t, func() bool {
		return len(withArgv("sleep", arg)) == 1
	}, within, 20*time.Millisecond, "one process of the unit")
	assert.Equal(t, []int{rows["n1/flip"].Info.PID}, withArgv("sleep", arg))
}

func TestAgent_SameNodeNameAlive_Refused(t *testing.T) {
	srv := natstest.Server(t)
	runAgent(t, srv.ClientURL(), "n1", nil)
	st := openStore(t, srv.ClientURL())
	awaitNodes(t, st, "n1")
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()

	err := agent.Run(ctx, agent.Options{URL: srv.ClientURL(), Node: "n1", Storage: testStorage})

	require.Error(t, err)
	assert.Contains(t, err.Error(), `node "n1" is alive already`)
}

func TestCluster_BadDesiredList_ReportedAsEvent_RunningUnitsUntouched(t *testing.T) {
	srv := natstest.Server(t)
	keeper := newPIDKeeper(t)
	runAgent(t, srv.ClientURL(), "n1", nil)
	st := openStore(t, srv.ClientURL())
	awaitNodes(t, st, "n1")
	arg := marker()
	apply(t, st, cluster.Placement{Spec: sleeperSpec("a", arg)})
	rows := awaitRows(t, st, keeper, "a ready", states(map[string]string{"n1/a": "ready"}))
	events := make(chan *nats.Msg, 64)
	sub, err := st.NC.ChanSubscribe(cluster.EventSubject("n1"), events)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	require.NoError(t, st.NC.Flush())
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()

	for list, want := range map[string]string{
		`{"not": "a list"}`:                     "cannot unmarshal",
		`[{"name": "a.b", "command": "sleep"}]`: `unit name "a.b"`,
		`[{"name": "x"}]`:                       `process command is empty`,
	} {
		rev, err := st.DesiredKV.Put(ctx, cluster.DesiredKey("n1"), []byte(list))
		require.NoError(t, err)
		var ev cluster.Event
		for ev.Revision != rev {
			select {
			case m := <-events:
				require.NoError(t, json.Unmarshal(m.Data, &ev))
			case <-ctx.Done():
				t.Fatalf("no event for revision %d (%s)", rev, list)
			}
		}
		assert.Contains(t, ev.Error, want, list)
	}

	assert.Equal(t, []int{rows["n1/a"].Info.PID}, withArgv("sleep", arg), "a runs on, untouched")
}

func TestCluster_LogsFollow_GoesOnWithNewLinesUntilCancelled(t *testing.T) {
	srv := natstest.Server(t)
	keeper := newPIDKeeper(t)
	runAgent(t, srv.ClientURL(), "n1", nil)
	st := openStore(t, srv.ClientURL())
	awaitNodes(t, st, "n1")
	apply(t, st, cluster.Placement{Spec: cluster.Spec{Name: "ticker", Command: "sh", Args: []string{"-c",
		`i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.05; done`}, GracePeriod: cluster.Duration(time.Second)}})
	awaitRows(t, st, keeper, "ticker ready", states(map[string]string{"n1/ticker": "ready"}))
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	var before bytes.Buffer
	require.Eventually(t, func() bool {
		before.Reset()
		return st.Logs(ctx, "n1", "ticker", false, &before) == nil && before.Len() > 0
	}, within, 20*time.Millisecond)
	seen := strings.Count(before.String(), "\n")

	followCtx, stopFollowing := context.WithCancel(ctx)
	var out testWriter
	done := make(chan error, 1)
	go func() { done <- st.Logs(followCtx, "n1", "ticker", true, &out) }()
	next := fmt.Sprintf("tick %d\n", seen+5)
	require.Eventually(t, func() bool { return strings.Contains(out.String(), next) }, within, 20*time.Millisecond,
		"following never reached %q", next)
	stopFollowing()

	require.NoError(t, awaitErr(t, done))
	assert.True(t, strings.HasPrefix(out.String(), "tick 1\ntick 2\n"), "the stream's lines first, oldest first")
}

// awaitErr waits for the error sent on ch.
func awaitErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(within):
		t.Fatal("no return")
		return nil
	}
}

func TestPS_DesiredUnitNotYetReported_Pending_LostNodeUnknown(t *testing.T) {
	srv := natstest.Server(t)
	st := openStore(t, srv.ClientURL())
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	// A live node whose agent has not reported yet: a heartbeat and a list.
	beat, err := json.Marshal(cluster.NodeInfo{Name: "fresh", Beat: time.Now()})
	require.NoError(t, err)
	_, err = st.NodesKV.Put(ctx, "fresh", beat)
	require.NoError(t, err)
	list, err := json.Marshal([]cluster.Spec{sleeperSpec("web", "1")})
	require.NoError(t, err)
	_, err = st.DesiredKV.Put(ctx, cluster.DesiredKey("fresh"), list)
	require.NoError(t, err)
	// A node with a list and no heartbeat: lost.
	_, err = st.DesiredKV.Put(ctx, cluster.DesiredKey("gone"), list)
	require.NoError(t, err)

	rows, err := st.PS(ctx)

	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, cluster.Row{Node: "fresh", Unit: "web", State: cluster.StatePending}, rows[0])
	assert.Equal(t, cluster.Row{Node: "gone", Unit: "web", State: cluster.StateUnknown}, rows[1])
}
