package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/nats-io/nats.go/jetstream"
)

// ControlError is an error a node's control service replied with.
type ControlError struct {
	Node, Code, Description string
}

// Error returns the description the node gave.
func (e *ControlError) Error() string { return e.Description }

// Control sends op (OpRestart, OpStop, …) for a unit to its node's
// control service and returns the reply's body (JSON). It refuses an
// unknown node and a lost one, naming it; the node refuses an unknown
// unit, naming it.
func (s *Store) Control(ctx context.Context, node, op string, req ControlRequest) ([]byte, error) {
	if err := s.checkLive(ctx, node); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	msg, err := s.NC.RequestWithContext(ctx, ControlSubject(node)+"."+op, body)
	if err != nil {
		return nil, fmt.Errorf("cluster: %s %s/%s: %w", op, node, req.Unit, err)
	}
	if desc := msg.Header.Get("Nats-Service-Error"); desc != "" {
		return nil, &ControlError{Node: node, Code: msg.Header.Get("Nats-Service-Error-Code"), Description: desc}
	}
	return msg.Data, nil
}

// checkLive refuses a node that is unknown or lost.
func (s *Store) checkLive(ctx context.Context, node string) error {
	nodes, err := s.Nodes(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(nodes, func(n Node) bool { return n.Name == node })
	switch {
	case i < 0:
		return fmt.Errorf("cluster: unknown node %q", node)
	case !nodes[i].Alive:
		return fmt.Errorf("cluster: node %q is lost: its heartbeat expired", node)
	}
	return nil
}

// Logs writes the unit's output lines the stream holds to w, one per
// line, oldest first; with follow it goes on with new lines until ctx
// ends. It refuses a unit that no desired list nor state names.
func (s *Store) Logs(ctx context.Context, node, unit string, follow bool, w io.Writer) error {
	rows, err := s.PS(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(rows, func(r Row) bool { return r.Node == node && r.Unit == unit }) {
		return fmt.Errorf("cluster: unknown unit %s/%s", node, unit)
	}
	cons, err := s.Stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{LogSubject(node, unit)},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("cluster: logs %s/%s: %w", node, unit, err)
	}
	if !follow {
		info, err := cons.Info(ctx)
		if err != nil {
			return fmt.Errorf("cluster: logs %s/%s: %w", node, unit, err)
		}
		if info.NumPending == 0 {
			return nil
		}
	}
	for {
		msg, err := cons.Next(jetstream.FetchContext(ctx))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("cluster: logs %s/%s: %w", node, unit, err)
		}
		if _, err := fmt.Fprintf(w, "%s\n", msg.Data()); err != nil {
			return err
		}
		meta, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("cluster: logs %s/%s: %w", node, unit, err)
		}
		if !follow && meta.NumPending == 0 {
			return nil
		}
	}
}
