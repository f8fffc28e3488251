package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Node is a node the cluster knows of: one with a heartbeat (alive), or
// one named by a desired list or a unit's state whose heartbeat has
// expired (lost).
type Node struct {
	Name  string
	Alive bool
	Info  NodeInfo // the heartbeat; zero for a lost node
}

// Nodes returns every node known, sorted by name.
func (s *Store) Nodes(ctx context.Context) ([]Node, error) {
	byName := map[string]*Node{}
	add := func(name string) *Node {
		n := byName[name]
		if n == nil {
			n = &Node{Name: name}
			byName[name] = n
		}
		return n
	}
	beats, err := keys(ctx, s.NodesKV)
	if err != nil {
		return nil, fmt.Errorf("cluster: nodes: %w", err)
	}
	for _, name := range beats {
		entry, err := s.NodesKV.Get(ctx, name)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // expired meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("cluster: nodes: %s: %w", name, err)
		}
		n := add(name)
		n.Alive = json.Unmarshal(entry.Value(), &n.Info) == nil
	}
	desired, err := keys(ctx, s.DesiredKV)
	if err != nil {
		return nil, fmt.Errorf("cluster: nodes: %w", err)
	}
	for _, key := range desired {
		add(strings.TrimPrefix(key, "node."))
	}
	states, err := keys(ctx, s.StateKV)
	if err != nil {
		return nil, fmt.Errorf("cluster: nodes: %w", err)
	}
	for _, key := range states {
		node, _, _ := strings.Cut(key, ".")
		add(node)
	}
	out := make([]Node, 0, len(byName))
	for _, n := range byName {
		out = append(out, *n)
	}
	slices.SortFunc(out, func(a, b Node) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// listAttempt bounds one listing of a bucket's keys. A listing is a
// consumer the server makes; one asked for while a bucket's leader is
// being elected again (a server of the cluster has gone) can go
// unanswered, so it is given up after this long and asked for again.
const listAttempt = 5 * time.Second

// keys returns the keys of kv, none when it is empty, trying again until
// ctx ends.
func keys(ctx context.Context, kv jetstream.KeyValue) ([]string, error) {
	for {
		attempt, cancel := context.WithTimeout(ctx, listAttempt)
		out, err := keysOnce(attempt, kv)
		cancel()
		if err == nil || ctx.Err() != nil {
			return out, err
		}
	}
}

// keysOnce lists the keys of kv once.
func keysOnce(ctx context.Context, kv jetstream.KeyValue) ([]string, error) {
	lister, err := kv.ListKeys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for k := range lister.Keys() {
		out = append(out, k)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err() // the listing ended unfinished
	}
	return out, nil
}
