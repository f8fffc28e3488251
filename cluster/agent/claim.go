package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/nats-io/nats.go/jetstream"

	"dappco.re/go/core/process/cluster"
)

// checkUnclaimed refuses to run when the node's heartbeat says another
// agent of the same name is alive: one on another host, or a live process
// on this one. The heartbeat of a dead agent of this host (killed, and
// started again before its heartbeat expired) is not in the way.
func (a *runner) checkUnclaimed(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	entry, err := a.store.NodesKV.Get(ctx, a.o.Node)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("agent %s: read its heartbeat: %w", a.o.Node, err)
	}
	var other cluster.NodeInfo
	if json.Unmarshal(entry.Value(), &other) != nil {
		return nil
	}
	if other.Host != hostname() || processAlive(other.PID) {
		return fmt.Errorf("agent %s: node %q is alive already: its agent runs on host %q as PID %d", a.o.Node, a.o.Node, other.Host, other.PID)
	}
	return nil
}

// processAlive reports whether pid is a process of this host.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// hostname is the machine's name, or "" when it is not known.
func hostname() string {
	h, _ := os.Hostname()
	return h
}
