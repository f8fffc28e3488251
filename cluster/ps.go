package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"dappco.re/go/core/process"
)

// StateUnknown is the state ps gives the units of a lost node: what runs
// there is not known.
const StateUnknown = "unknown"

// StatePending is the state ps gives a unit of a desired list whose node
// has not reported it yet.
const StatePending = "pending"

// Row is one unit of PS.
type Row struct {
	Node  string
	Unit  string
	State string           // a process.UnitState, StateUnknown or StatePending
	Info  process.UnitInfo // as the node last reported it
}

// PS returns a row per unit of every node, desired or reported, sorted by
// node and unit: the unit's state as its node reports it, StateUnknown on
// a lost node, StatePending for a desired unit not yet reported.
func (s *Store) PS(ctx context.Context) ([]Row, error) {
	nodes, err := s.Nodes(ctx)
	if err != nil {
		return nil, err
	}
	alive := map[string]bool{}
	for _, n := range nodes {
		alive[n.Name] = n.Alive
	}
	rows := map[string]*Row{}
	stateKeys, err := keys(ctx, s.StateKV)
	if err != nil {
		return nil, fmt.Errorf("cluster: ps: %w", err)
	}
	for _, key := range stateKeys {
		entry, err := s.StateKV.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cluster: ps: %s: %w", key, err)
		}
		node, unit, _ := strings.Cut(key, ".")
		r := &Row{Node: node, Unit: unit}
		if json.Unmarshal(entry.Value(), &r.Info) == nil {
			r.State = string(r.Info.State)
		}
		rows[key] = r
	}
	desired, err := s.DesiredLists(ctx)
	if err != nil {
		return nil, err
	}
	for node, specs := range desired {
		for _, spec := range specs {
			if key := StateKey(node, spec.Name); rows[key] == nil {
				rows[key] = &Row{Node: node, Unit: spec.Name, State: StatePending}
			}
		}
	}
	out := make([]Row, 0, len(rows))
	for _, r := range rows {
		if !alive[r.Node] {
			r.State = StateUnknown
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Row) int {
		return strings.Compare(a.Node+"/"+a.Unit, b.Node+"/"+b.Unit)
	})
	return out, nil
}

// DesiredLists returns every node's desired list.
func (s *Store) DesiredLists(ctx context.Context) (map[string][]Spec, error) {
	desiredKeys, err := keys(ctx, s.DesiredKV)
	if err != nil {
		return nil, fmt.Errorf("cluster: desired lists: %w", err)
	}
	out := map[string][]Spec{}
	for _, key := range desiredKeys {
		entry, err := s.DesiredKV.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cluster: desired list %s: %w", key, err)
		}
		var specs []Spec
		if err := json.Unmarshal(entry.Value(), &specs); err != nil {
			return nil, fmt.Errorf("cluster: desired list %s: %w", key, err)
		}
		out[strings.TrimPrefix(key, "node.")] = specs
	}
	return out, nil
}
