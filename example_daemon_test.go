package process_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"dappco.re/go/core/process"
)

// A program's daemon life: a PID file that keeps a second instance out,
// /health and /ready, and an entry in a registry of running daemons.
// Run blocks until its context ends, then stops all three.
func ExampleNewDaemon() {
	dir, _ := os.MkdirTemp("", "daemon-example")
	defer os.RemoveAll(dir)
	registry := process.NewRegistry(filepath.Join(dir, "daemons"))

	d := process.NewDaemon(process.DaemonOptions{
		PIDFile:       filepath.Join(dir, "worker.pid"),
		HealthAddr:    "127.0.0.1:0",
		Registry:      registry,
		RegistryEntry: process.DaemonEntry{Code: "myapp", Daemon: "worker"},
	})
	if err := d.Start(); err != nil {
		fmt.Println(err)
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()

	resp, err := http.Get("http://" + d.HealthAddr() + "/health")
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("/health: %d %s", resp.StatusCode, body)
	}
	entry, _ := registry.Get("myapp", "worker")
	fmt.Println("registered, PID is ours:", entry.PID == os.Getpid())
	second := process.NewDaemon(process.DaemonOptions{PIDFile: filepath.Join(dir, "worker.pid")})
	fmt.Println("second instance refused:", second.Start() != nil)

	stop() // as SIGTERM would, with signal.NotifyContext
	select {
	case err := <-done:
		fmt.Println("stopped:", err)
	case <-time.After(time.Minute):
	}
	_, registered := registry.Get("myapp", "worker")
	fmt.Println("still registered:", registered)
	// Output:
	// /health: 200 ok
	// registered, PID is ours: true
	// second instance refused: true
	// stopped: <nil>
	// still registered: false
}
