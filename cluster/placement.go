package cluster

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Placement is a unit of cluster.yaml with where it may run.
type Placement struct {
	Spec Spec
	// Nodes, when set, are the only nodes the unit may run on.
	Nodes []string
	// Labels, when set, must all match a node's labels.
	Labels map[string]string
	// Replicas is how many copies run; 0 and 1 mean one, named as the
	// unit; N > 1 means NAME-0 … NAME-(N-1), spread over the matching
	// nodes.
	Replicas int
}

// PlacementError is a unit that cannot be placed; Unit names it.
type PlacementError struct {
	Unit string
	Msg  string
}

// Error names the unit and what is wrong.
func (e *PlacementError) Error() string { return fmt.Sprintf("unit %q: %s", e.Unit, e.Msg) }

// Place assigns every unit (each replica) to a live node of nodes that
// matches it, the least loaded first (ties: by name), and returns each
// live node's desired list, in the order of units. The same units over
// the same nodes always give the same lists. A dependency is resolved on
// the unit's own node: on a replicated unit it means its replicas there.
// Errors name the unit, and the unknown node or the labels no live node
// has.
func Place(units []Placement, nodes []Node) (map[string][]Spec, error) {
	known := map[string]Node{}
	var live []Node
	for _, n := range nodes {
		known[n.Name] = n
		if n.Alive {
			live = append(live, n)
		}
	}
	lists := map[string][]Spec{}
	for _, n := range live {
		lists[n.Name] = nil
	}
	replicaNames := map[string][]string{} // unit → its replicas' names
	placedOn := map[string]string{}       // replica name → node
	for _, u := range units {
		candidates, err := candidatesFor(u, known, live)
		if err != nil {
			return nil, err
		}
		for _, name := range replicas(u) {
			slices.SortStableFunc(candidates, func(a, b string) int {
				if d := len(lists[a]) - len(lists[b]); d != 0 {
					return d
				}
				return strings.Compare(a, b)
			})
			node := candidates[0]
			spec := u.Spec
			spec.Name = name
			if u.Replicas > 1 {
				spec.Env = append(slices.Clone(spec.Env), fmt.Sprintf("GOPROCESS_REPLICA=%s", strings.TrimPrefix(name, u.Spec.Name+"-")))
			}
			lists[node] = append(lists[node], spec)
			replicaNames[u.Spec.Name] = append(replicaNames[u.Spec.Name], name)
			placedOn[name] = node
		}
	}
	for node, specs := range lists {
		for i := range specs {
			after, err := resolveAfter(specs[i], node, replicaNames, placedOn)
			if err != nil {
				return nil, err
			}
			specs[i].After = after
		}
	}
	return lists, nil
}

// candidatesFor returns the live nodes u may run on.
func candidatesFor(u Placement, known map[string]Node, live []Node) ([]string, error) {
	for _, name := range u.Nodes {
		if _, ok := known[name]; !ok {
			return nil, &PlacementError{Unit: u.Spec.Name, Msg: fmt.Sprintf("unknown node %q", name)}
		}
	}
	var out []string
	for _, n := range live {
		if len(u.Nodes) > 0 && !slices.Contains(u.Nodes, n.Name) {
			continue
		}
		if !hasLabels(n.Info.Labels, u.Labels) {
			continue
		}
		out = append(out, n.Name)
	}
	if len(out) == 0 {
		return nil, &PlacementError{Unit: u.Spec.Name, Msg: "no live node can take it" + describeWant(u)}
	}
	return out, nil
}

// hasLabels reports whether have holds every label of want.
func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// describeWant renders what u asks of a node, for messages.
func describeWant(u Placement) string {
	var parts []string
	if len(u.Nodes) > 0 {
		parts = append(parts, "nodes "+strings.Join(u.Nodes, ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(u.Labels)) {
		parts = append(parts, fmt.Sprintf("label %s=%s", k, u.Labels[k]))
	}
	if len(parts) == 0 {
		return " (no node is alive)"
	}
	return " (wanted: " + strings.Join(parts, "; ") + ")"
}

// replicas returns the names of u's copies.
func replicas(u Placement) []string {
	if u.Replicas <= 1 {
		return []string{u.Spec.Name}
	}
	out := make([]string, u.Replicas)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", u.Spec.Name, i)
	}
	return out
}

// resolveAfter rewrites spec's dependencies to the replicas placed on
// node; a dependency with none there is an error naming both units.
func resolveAfter(spec Spec, node string, replicaNames map[string][]string, placedOn map[string]string) ([]Dependency, error) {
	var out []Dependency
	for _, dep := range spec.After {
		found := false
		for _, name := range replicaNames[dep.Unit] {
			if placedOn[name] == node {
				out = append(out, Dependency{Unit: name, Condition: dep.Condition})
				found = true
			}
		}
		if !found {
			return nil, &PlacementError{Unit: spec.Name, Msg: fmt.Sprintf(
				"depends on %q, which is not placed on its node %q: dependencies hold within a node (give both the same nodes or labels)", dep.Unit, node)}
		}
	}
	return out, nil
}
