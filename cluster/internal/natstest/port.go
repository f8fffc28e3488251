package natstest

import (
	"net"
	"testing"
)

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago:
// cluster routes must be known before the servers start.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("natstest: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
