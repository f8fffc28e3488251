package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	core "dappco.re/go/core"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/internal/config"
)

const stackFile = "../../examples/stack/process.yaml"

func TestExampleStack_Loads(t *testing.T) {
	cfg, err := config.Load(stackFile)
	require.NoError(t, err)
	specs := cfg.Specs()
	require.Len(t, specs, 3)
	assert.Equal(t, []string{"migrate", "web", "worker"}, []string{specs[0].Name, specs[1].Name, specs[2].Name})
	assert.Equal(t, []process.Dependency{{Unit: "migrate", Condition: process.ConditionSucceeded}}, specs[1].After)
	require.NotNil(t, specs[1].Ready)
	assert.Equal(t, "http://127.0.0.1:8080/healthz", specs[1].Ready.HTTP)
}

// freePort returns a TCP port nothing listens on just now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	require.NoError(t, err)
	return port
}

// The example stack comes up ready (on a free port instead of 8080) and
// its web server answers.
func TestExampleStack_ComesUpReady(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs the example's web server")
	}
	cfg, err := config.Load(stackFile)
	require.NoError(t, err)
	addr := "127.0.0.1:" + freePort(t)
	specs := cfg.Specs()
	for i := range specs {
		p := &specs[i].Process
		for j, kv := range p.Env {
			p.Env[j] = strings.ReplaceAll(kv, "127.0.0.1:8080", addr)
		}
		for _, pr := range []*process.Probe{specs[i].Ready, specs[i].Alive} {
			if pr != nil {
				pr.HTTP = strings.ReplaceAll(pr.HTTP, "127.0.0.1:8080", addr)
			}
		}
	}

	c := core.New(core.WithService(process.Register))
	require.True(t, c.ServiceStartup(context.Background(), nil).OK)
	t.Cleanup(func() { c.ServiceShutdown(context.Background()) }) // stops every unit process
	svc, ok := core.ServiceFor[*process.Service](c, "process")
	require.True(t, ok)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // the first `go run` compiles
	defer cancel()
	require.NoError(t, svc.Up(ctx, specs...))
	states := map[string]process.UnitState{}
	for _, u := range svc.Units() {
		states[u.Name] = u.State
	}
	assert.Equal(t, map[string]process.UnitState{"migrate": process.UnitSucceeded, "web": process.UnitReady, "worker": process.UnitReady}, states)

	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), "hello from the example stack")

	require.NoError(t, svc.Down(ctx))
	for _, u := range svc.Units() {
		assert.Contains(t, []process.UnitState{process.UnitStopped, process.UnitSucceeded}, u.State, u.Name)
	}
}
