package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"dappco.re/go/core/process"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ofProcess keeps the events of process id.
func ofProcess(t *testing.T, id *string) func(sseMsg) bool {
	return func(msg sseMsg) bool {
		return msg.event != "unit" && eventData[map[string]any](t, msg)["id"] == *id
	}
}

func TestServer_Events_StartedOutputExited_InOrder(t *testing.T) {
	f := newSrvFixture(t, Options{})
	withOutput := f.openStream("/v1/events?output=1")
	without := f.openStream("/v1/events")

	var id string
	info := f.startProcess(`{"command": "sh", "args": ["-c", "echo one; echo two >&2; echo three; exit 2"]}`)
	id = info.ID

	started := withOutput.next(t, ofProcess(t, &id))
	require.Equal(t, "started", started.event)
	sd := eventData[startedData](t, started)
	assert.Equal(t, "sh", sd.Command)
	assert.Equal(t, info.PID, sd.PID)
	assert.Equal(t, []string{"-c", "echo one; echo two >&2; echo three; exit 2"}, sd.Args)

	lines := map[string][]string{}
	var ev sseMsg
	for {
		ev = withOutput.next(t, ofProcess(t, &id))
		if ev.event != "output" {
			break
		}
		out := eventData[outputData](t, ev)
		lines[out.Stream] = append(lines[out.Stream], out.Line)
	}
	assert.Equal(t, []string{"one", "three"}, lines["stdout"], "stdout in order")
	assert.Equal(t, []string{"two"}, lines["stderr"])
	require.Equal(t, "exited", ev.event)
	ed := eventData[exitedData](t, ev)
	assert.Equal(t, 2, ed.ExitCode)
	assert.Contains(t, ed.Error, "exited with status 2")
	assert.Positive(t, ed.Duration)

	// Without ?output=1: started, then exited, no output.
	assert.Equal(t, "started", without.next(t, ofProcess(t, &id)).event)
	assert.Equal(t, "exited", without.next(t, ofProcess(t, &id)).event)
}

func TestServer_Events_KilledAndUnit(t *testing.T) {
	f := newSrvFixture(t, Options{})
	stream := f.openStream("/v1/events")
	f.up(false, sleeper("web"))

	unit := stream.next(t, func(m sseMsg) bool { return m.event == "unit" })
	ud := eventData[unitData](t, unit)
	assert.Equal(t, "web", ud.Name)
	assert.Equal(t, "waiting", ud.State)

	info, err := f.svc.Unit("web")
	require.NoError(t, err)
	id := info.ProcessID
	require.NoError(t, f.svc.Kill(id))
	killed := stream.next(t, func(m sseMsg) bool { return m.event == "killed" })
	kd := eventData[killedData](t, killed)
	assert.Equal(t, id, kd.ID)
	assert.Equal(t, "SIGKILL", kd.Signal)
}

func TestServer_Events_BadQuery_400(t *testing.T) {
	f := newSrvFixture(t, Options{})
	a := f.do("GET", "/v1/events?output=yes-please", nil)
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, a.errorMessage(t), `"output"`)
}

func TestServer_Events_Ping(t *testing.T) {
	c, svc := newSrvCore(t)
	s := New(c, svc, Options{})
	s.pingEvery = 20 * time.Millisecond
	f := serveSrv(t, s)
	stream := f.openStream("/v1/events")
	select {
	case msg := <-stream.events:
		assert.Equal(t, sseMsg{event: ":", data: "ping"}, msg)
	case <-time.After(30 * time.Second):
		t.Fatal("no ping")
	}
}

// TestServer_Events_SlowClientDropped: a client that reads nothing while
// a process writes fast is dropped with a last "dropped" event; the
// process keeps running, and another client keeps getting events.
func TestServer_Events_SlowClientDropped(t *testing.T) {
	f := newSrvFixture(t, Options{EventBuffer: 8})
	slow := srvOpenStream(t, f.client, "http://goprocess/v1/events?output=1", false)
	other := f.openStream("/v1/events")

	chatty := f.startProcess(`{"command": "sh", "args": ["-c", "while :; do echo 0123456789012345678901234567890123456789; done"], "outputLimit": 4096}`)
	require.Eventually(t, func() bool { return f.srv.hub.dropped() == 1 }, 60*time.Second, 5*time.Millisecond,
		"the slow client is dropped once its socket and its queue are full")
	assert.True(t, f.svc.IsRunning(chatty.ID), "the process keeps running")

	// The other client keeps receiving.
	assert.Equal(t, "started", other.next(t, func(m sseMsg) bool { return m.event == "started" }).event)
	var next string
	quick := f.startProcess(`{"command": "true"}`)
	next = quick.ID
	assert.Equal(t, "started", other.next(t, ofProcess(t, &next)).event)
	assert.Equal(t, "exited", other.next(t, ofProcess(t, &next)).event)

	// The slow client, reading at last, finds its stream ends with
	// "dropped", after output events only.
	slow.startReading()
	got := slow.awaitEnd(t)
	require.NotEmpty(t, got)
	last := got[len(got)-1]
	require.Equal(t, "dropped", last.event)
	assert.Contains(t, eventData[droppedData](t, last).Reason, "8 events")
	for _, msg := range got[:len(got)-1] {
		require.Contains(t, []string{"started", "output", ":"}, msg.event)
	}
	assert.True(t, f.svc.IsRunning(chatty.ID), "the process still runs")
	require.NoError(t, f.svc.Kill(chatty.ID))
}

func TestServer_Shutdown_EndsStreams(t *testing.T) {
	f := newSrvFixture(t, Options{})
	events := f.openStream("/v1/events?output=1")
	f.up(true, process.UnitSpec{Name: "echo", Process: process.RunOptions{Command: "sleep", Args: []string{"60"}}})
	logs := f.openStream("/v1/units/echo/logs?follow=1")

	err := f.shutdown()
	assert.ErrorIs(t, err, http.ErrServerClosed)
	events.awaitEnd(t)
	logs.awaitEnd(t)

	// Handler answers 503 from now on.
	rec := newRecorder()
	f.srv.Handler().ServeHTTP(rec, mustRequest(t, "GET", "/v1/units"))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Contains(t, rec.Body.String(), "shutting down")

	// The units are left alone.
	info, err := f.svc.Unit("echo")
	require.NoError(t, err)
	assert.Equal(t, process.UnitReady, info.State)
}

func TestServer_HubDoesNotBuildOutputEventsForNobody(t *testing.T) {
	h := newEventHub(4)
	sub := h.subscribe(false, nil)
	for i := range 100 {
		h.handle(nil, process.ActionProcessOutput{ID: "x", Line: fmt.Sprint(i), Stream: process.StreamStdout})
	}
	assert.Empty(t, sub.feed.items, "no output events for a subscriber that did not ask")
	_, built := toHubEvent(process.ActionProcessOutput{ID: "x"}, false)
	assert.False(t, built)
	assert.Equal(t, 0, h.dropped())
}
