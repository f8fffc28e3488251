// Package natstest runs NATS servers with JetStream inside a test
// process: one, or a cluster of several, each on random ports with its
// store in a temporary directory, shut down when the test ends.
package natstest

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// readyWait bounds how long a server may take to accept connections.
const readyWait = 30 * time.Second

// Server starts a single JetStream server.
func Server(t testing.TB) *server.Server {
	t.Helper()
	return ServerWithUsers(t, nil)
}

// ServerWithUsers starts a single JetStream server that admits only
// users (none: anyone).
func ServerWithUsers(t testing.TB, users []*server.User) *server.Server {
	t.Helper()
	return start(t, &server.Options{
		Users:      users,
		ServerName: "solo",
		Host:       "127.0.0.1",
		Port:       -1,
		JetStream:  true,
		StoreDir:   t.TempDir(),
		NoLog:      true,
		NoSigs:     true,
	})
}

// Cluster starts n JetStream servers that form one cluster, and waits
// until JetStream's meta leader sees all n online, so replicated assets
// can be placed at once.
func Cluster(t testing.TB, n int) []*server.Server {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ports[i] = freePort(t)
	}
	var routes []*url.URL
	for _, p := range ports {
		routes = append(routes, &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", p)})
	}
	servers := make([]*server.Server, n)
	for i := range servers {
		servers[i] = start(t, &server.Options{
			ServerName: fmt.Sprintf("s%d", i),
			Host:       "127.0.0.1",
			Port:       -1,
			JetStream:  true,
			StoreDir:   t.TempDir(),
			NoLog:      true,
			NoSigs:     true,
			Cluster:    server.ClusterOpts{Name: "goprocess-test", Host: "127.0.0.1", Port: ports[i]},
			Routes:     routes,
		})
	}
	deadline := time.Now().Add(readyWait)
	for !allPeersOnline(servers) {
		if time.Now().After(deadline) {
			t.Fatalf("natstest: JetStream's meta leader did not see %d servers online within %v", n, readyWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return servers
}

// URLs returns the client URLs of servers, comma-separated as
// nats.Connect takes them.
func URLs(servers []*server.Server) string {
	out := ""
	for i, s := range servers {
		if i > 0 {
			out += ","
		}
		out += s.ClientURL()
	}
	return out
}

// allPeersOnline reports whether a server of servers is the JetStream
// meta leader and sees every one of them online.
func allPeersOnline(servers []*server.Server) bool {
	for _, s := range servers {
		if s.Running() && s.JetStreamIsLeader() {
			return len(s.JetStreamClusterPeers()) == len(servers)
		}
	}
	return false
}

// start runs a server with opts and shuts it down when the test ends.
func start(t testing.TB, opts *server.Options) *server.Server {
	t.Helper()
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatalf("natstest: new server: %v", err)
	}
	go s.Start()
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	if !s.ReadyForConnections(readyWait) {
		t.Fatalf("natstest: server %s not ready within %v", opts.ServerName, readyWait)
	}
	return s
}
