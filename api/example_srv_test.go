package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
	"dappco.re/go/core/process/api"
)

// Example serves a process service on a unix socket and lists its units
// over HTTP, as `goprocess ps` does.
func Example() {
	ctx := context.Background()
	c := core.New(core.WithService(process.Register))
	c.ServiceStartup(ctx, nil)
	defer c.ServiceShutdown(ctx) // stops the units
	svc, _ := core.ServiceFor[*process.Service](c, "process")

	srv := api.New(c, svc, api.Options{})
	spec := process.UnitSpec{Name: "web", Process: process.RunOptions{Command: "sleep", Args: []string{"60"}}}
	srv.Attach(&spec) // keep its lines for GET /v1/units/web/logs
	if err := svc.Up(ctx, spec); err != nil {
		fmt.Println("up:", err)
		return
	}

	dir, _ := os.MkdirTemp("", "goprocess")
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "goprocess.sock")
	l, err := api.ListenUnix(sock) // mode 0600: whoever can open it is trusted
	if err != nil {
		fmt.Println("listen:", err)
		return
	}
	go srv.Serve(l)
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx)
	}()

	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	resp, err := client.Get("http://goprocess/v1/units")
	if err != nil {
		fmt.Println("get:", err)
		return
	}
	defer resp.Body.Close()
	var units []process.UnitInfo
	if err := json.NewDecoder(resp.Body).Decode(&units); err != nil {
		fmt.Println("decode:", err)
		return
	}
	for _, u := range units {
		fmt.Println(u.Name, u.State)
	}
	// Output:
	// web ready
}
