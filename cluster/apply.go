package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Apply places units on the live nodes (Place) and writes each node's
// desired list; a node that had a list and takes none of the units now
// (a lost one too) gets the empty list, so its agent downs what it runs.
// A list equal to the one there is not written again. It returns the
// lists written. Nothing is written when a unit cannot be placed.
func (s *Store) Apply(ctx context.Context, units []Placement) (map[string][]Spec, error) {
	nodes, err := s.Nodes(ctx)
	if err != nil {
		return nil, err
	}
	lists, err := Place(units, nodes)
	if err != nil {
		return nil, err
	}
	old, err := s.DesiredLists(ctx)
	if err != nil {
		return nil, err
	}
	for node := range old {
		if _, ok := lists[node]; !ok {
			lists[node] = nil
		}
	}
	for node, specs := range lists {
		if err := s.writeDesired(ctx, node, specs); err != nil {
			return nil, err
		}
	}
	return lists, nil
}

// Down writes the empty list for every node that has a desired list: the
// agents down every unit.
func (s *Store) Down(ctx context.Context) error {
	old, err := s.DesiredLists(ctx)
	if err != nil {
		return err
	}
	for node := range old {
		if err := s.writeDesired(ctx, node, nil); err != nil {
			return err
		}
	}
	return nil
}

// writeDesired puts node's list unless the same list is there already.
func (s *Store) writeDesired(ctx context.Context, node string, specs []Spec) error {
	if specs == nil {
		specs = []Spec{}
	}
	data, err := json.Marshal(specs)
	if err != nil {
		return fmt.Errorf("cluster: desired list of node %q: %w", node, err)
	}
	key := DesiredKey(node)
	entry, err := s.DesiredKV.Get(ctx, key)
	switch {
	case err == nil && bytes.Equal(entry.Value(), data):
		return nil
	case err != nil && !errors.Is(err, jetstream.ErrKeyNotFound):
		return fmt.Errorf("cluster: desired list of node %q: %w", node, err)
	}
	if _, err := s.DesiredKV.Put(ctx, key, data); err != nil {
		return fmt.Errorf("cluster: write the desired list of node %q: %w", node, err)
	}
	return nil
}
