package cluster_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
)

func liveNode(name string, labels map[string]string) cluster.Node {
	return cluster.Node{Name: name, Alive: true, Info: cluster.NodeInfo{Name: name, Labels: labels}}
}

func namesOf(specs []cluster.Spec) []string {
	out := []string{}
	for _, s := range specs {
		out = append(out, s.Name)
	}
	return out
}

func TestPlace_Replicas_SpreadOverMatchingNodes_DependenciesOnTheSameNode(t *testing.T) {
	nodes := []cluster.Node{
		liveNode("n1", map[string]string{"zone": "eu"}),
		liveNode("n2", map[string]string{"zone": "eu"}),
		liveNode("n3", map[string]string{"zone": "us"}),
		{Name: "gone"}, // lost
	}
	units := []cluster.Placement{
		{Spec: cluster.Spec{Name: "cache", Command: "c"}, Labels: map[string]string{"zone": "eu"}, Replicas: 2},
		{Spec: cluster.Spec{Name: "web", Command: "w", After: []cluster.Dependency{{Unit: "cache"}}}, Labels: map[string]string{"zone": "eu"}, Replicas: 2},
	}

	lists, err := cluster.Place(units, nodes)

	require.NoError(t, err)
	assert.Equal(t, []string{"cache-0", "web-0"}, namesOf(lists["n1"]))
	assert.Equal(t, []string{"cache-1", "web-1"}, namesOf(lists["n2"]))
	assert.Empty(t, lists["n3"])
	assert.NotContains(t, lists, "gone")
	assert.Equal(t, []cluster.Dependency{{Unit: "cache-1"}}, lists["n2"][1].After)
	assert.Contains(t, lists["n2"][0].Env, "GOPROCESS_REPLICA=1")

	again, err := cluster.Place(units, nodes)
	require.NoError(t, err)
	assert.Equal(t, lists, again, "the same units over the same nodes: the same lists")
}

func TestPlace_Refusals_NameTheUnitAndWhatIsWrong(t *testing.T) {
	nodes := []cluster.Node{liveNode("n1", nil), liveNode("n2", nil), {Name: "gone"}}
	cases := map[string][]cluster.Placement{
		`unit "a": unknown node "n9"`:                             {{Spec: cluster.Spec{Name: "a"}, Nodes: []string{"n9"}}},
		`unit "a": no live node can take it (wanted: nodes gone)`: {{Spec: cluster.Spec{Name: "a"}, Nodes: []string{"gone"}}},
		`unit "b": depends on "a", which is not placed on its node "n2"`: {
			{Spec: cluster.Spec{Name: "a"}, Nodes: []string{"n1"}},
			{Spec: cluster.Spec{Name: "b", After: []cluster.Dependency{{Unit: "a"}}}, Nodes: []string{"n2"}},
		},
	}
	for want, units := range cases {
		_, err := cluster.Place(units, nodes)
		require.Error(t, err, want)
		assert.Contains(t, err.Error(), want)
	}
}

func TestSpec_JSONRoundTrip_GivesTheSameUnitSpec(t *testing.T) {
	spec := cluster.Spec{
		Name: "web", Command: "srv", Args: []string{"-p", "1"}, Env: []string{"A=1"}, Dir: "/srv",
		Restart: "always", MaxRestarts: 3, GracePeriod: cluster.Duration(2 * time.Second),
		Backoff: &cluster.Backoff{Initial: cluster.Duration(time.Second), Factor: 3},
		Ready:   &cluster.Probe{HTTP: "http://x/", Period: cluster.Duration(250 * time.Millisecond)},
		After:   []cluster.Dependency{{Unit: "db", Condition: "started"}},
	}
	data, err := json.Marshal([]cluster.Spec{spec})
	require.NoError(t, err)
	assert.Contains(t, string(data), `"grace_period":"2s"`)
	var back []cluster.Spec
	require.NoError(t, json.Unmarshal(data, &back))
	require.Len(t, back, 1)

	assert.Equal(t, spec.UnitSpec(), back[0].UnitSpec())
	u := back[0].UnitSpec()
	assert.Equal(t, process.RestartAlways, u.Restart)
	assert.Equal(t, 2*time.Second, u.Process.GracePeriod)
	assert.Equal(t, 250*time.Millisecond, u.Ready.Period)
	assert.Equal(t, []process.Dependency{{Unit: "db", Condition: process.ConditionStarted}}, u.After)
}
