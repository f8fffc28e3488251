package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
	"dappco.re/go/core/process/cluster/internal/natstest"
)

// benchUnits is how many units each of the three nodes runs.
const benchUnits = 10

// benchCluster is one server and three in-process agents, n1 … n3.
func benchCluster(b *testing.B) (*cluster.Store, *pidKeeper) {
	srv := natstest.Server(b)
	keeper := newPIDKeeper(b)
	for i := 1; i <= 3; i++ {
		runAgent(b, srv.ClientURL(), fmt.Sprintf("n%d", i), nil)
	}
	st := openStore(b, srv.ClientURL())
	awaitNodes(b, st, "n1", "n2", "n3")
	return st, keeper
}

// benchList is a node's desired list of benchUnits sleepers; the first
// carries version in its environment, so a new version changes one unit.
func benchList(version int) []byte {
	specs := make([]cluster.Spec, benchUnits)
	for i := range specs {
		specs[i] = cluster.Spec{Name: fmt.Sprintf("u%d", i), Command: "sleep", Args: []string{"300"}, GracePeriod: cluster.Duration(time.Second)}
	}
	specs[0].Env = []string{fmt.Sprintf("VERSION=%d", version)}
	data, _ := json.Marshal(specs)
	return data
}

// appliedRevisions follows the nodes' apply events and reports each
// node's newest applied revision of its desired list.
type appliedRevisions struct {
	mu   sync.Mutex
	rev  map[string]uint64
	kick chan struct{}
}

func followApplied(b *testing.B, nc *nats.Conn) *appliedRevisions {
	a := &appliedRevisions{rev: map[string]uint64{}, kick: make(chan struct{}, 1)}
	sub, err := nc.Subscribe("goprocess.event.*", func(m *nats.Msg) {
		var ev cluster.Event
		if json.Unmarshal(m.Data, &ev) != nil || ev.Unit != "" || ev.Revision == 0 {
			return
		}
		if ev.Error != "" {
			b.Errorf("node %s: apply of revision %d: %s", ev.Node, ev.Revision, ev.Error)
		}
		a.mu.Lock()
		a.rev[ev.Node] = max(a.rev[ev.Node], ev.Revision)
		a.mu.Unlock()
		select {
		case a.kick <- struct{}{}:
		default:
		}
	})
	require.NoError(b, err)
	b.Cleanup(func() { _ = sub.Unsubscribe() })
	return a
}

// await waits until every node of want has applied its revision.
func (a *appliedRevisions) await(b *testing.B, want map[string]uint64) {
	deadline := time.After(within)
	for {
		a.mu.Lock()
		done := true
		for node, rev := range want {
			done = done && a.rev[node] >= rev
		}
		a.mu.Unlock()
		if done {
			return
		}
		select {
		case <-a.kick:
		case <-deadline:
			b.Fatalf("revisions %v not applied within %v", want, within)
		}
	}
}

// BenchmarkCluster_DesiredStateChanges writes a changed desired list to
// each of three agents (one unit of ten changes, so it restarts) and
// waits until each has applied it: changes/s counts the lists applied
// per second across the three.
func BenchmarkCluster_DesiredStateChanges(b *testing.B) {
	st, _ := benchCluster(b)
	applied := followApplied(b, st.NC)
	ctx := context.Background()
	nodes := []string{"n1", "n2", "n3"}
	put := func(version int) map[string]uint64 {
		want := map[string]uint64{}
		for _, node := range nodes {
			rev, err := st.DesiredKV.Put(ctx, cluster.DesiredKey(node), benchList(version))
			require.NoError(b, err)
			want[node] = rev
		}
		return want
	}
	applied.await(b, put(0))
	b.ResetTimer()
	start := time.Now()
	for i := 1; i <= b.N; i++ {
		applied.await(b, put(i))
	}
	b.ReportMetric(float64(b.N*len(nodes))/time.Since(start).Seconds(), "changes/s")
	b.StopTimer()
	require.NoError(b, st.Down(ctx))
	applied.await(b, put(-1)) // the last version settles before the cleanup
}

// BenchmarkCluster_ApplyToAllReady measures, per operation, the time from
// Store.Apply of thirty units (ten per node over three agents) to every
// one of them ready in goprocess-state; the units are then downed, off
// the clock.
func BenchmarkCluster_ApplyToAllReady(b *testing.B) {
	st, keeper := benchCluster(b)
	ctx := context.Background()
	units := make([]cluster.Placement, 3*benchUnits)
	for i := range units {
		units[i] = cluster.Placement{Spec: cluster.Spec{Name: fmt.Sprintf("u%d", i), Command: "sleep", Args: []string{"300"}, GracePeriod: cluster.Duration(time.Second)}}
	}
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		_, err := st.Apply(ctx, units)
		require.NoError(b, err)
		awaitState(b, st, len(units), func(info process.UnitInfo) bool { return info.State == process.UnitReady })
		total += time.Since(start)

		b.StopTimer()
		rows, err := st.PS(ctx)
		require.NoError(b, err)
		keeper.keep(rows)
		require.NoError(b, st.Down(ctx))
		awaitState(b, st, 0, nil)
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-ready")
}

// awaitState watches goprocess-state until it holds exactly n keys, each
// of whose UnitInfo satisfies ok.
func awaitState(b *testing.B, st *cluster.Store, n int, ok func(process.UnitInfo) bool) {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	w, err := st.StateKV.WatchAll(ctx)
	require.NoError(b, err)
	defer func() { _ = w.Stop() }()
	infos := map[string]process.UnitInfo{}
	initial := true
	for {
		select {
		case <-ctx.Done():
			b.Fatalf("state never held %d matching units; last %d keys", n, len(infos))
		case e := <-w.Updates():
			switch {
			case e == nil:
				initial = false
			case e.Operation() != jetstream.KeyValuePut:
				delete(infos, e.Key())
			default:
				var info process.UnitInfo
				require.NoError(b, json.Unmarshal(e.Value(), &info))
				infos[e.Key()] = info
			}
		}
		if initial || len(infos) != n {
			continue
		}
		all := true
		for _, info := range infos {
			all = all && (ok == nil || ok(info))
		}
		if all {
			return
		}
	}
}
