package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"dappco.re/go/core/process/cluster"
)

// heartbeat writes the node's NodeInfo to BucketNodes every third of the
// bucket's TTL until ctx ends; a node whose agent falls silent for the TTL
// loses its key, and with it its place among the live nodes. A failed
// write is tried again at the next beat.
func (a *runner) heartbeat(ctx context.Context) error {
	info := cluster.NodeInfo{Name: a.o.Node, Labels: a.labels(), Host: hostname(), PID: os.Getpid(), Since: time.Now()}
	tick := time.NewTicker(a.beat)
	defer tick.Stop()
	for {
		info.Beat = time.Now()
		if data, err := json.Marshal(info); err == nil {
			pctx, cancel := context.WithTimeout(ctx, a.beat)
			_, _ = a.store.NodesKV.Put(pctx, a.o.Node, data)
			cancel()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// readBeat sets the beat, a third of BucketNodes' TTL.
func (a *runner) readBeat(ctx context.Context) error {
	ttl, err := a.store.NodeTTL(ctx)
	if err != nil {
		return fmt.Errorf("agent %s: %w", a.o.Node, err)
	}
	if ttl <= 0 {
		return fmt.Errorf("agent %s: bucket %s has no TTL: a silent node would never be lost", a.o.Node, cluster.BucketNodes)
	}
	a.beat = ttl / 3
	return nil
}
