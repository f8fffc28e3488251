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

// echoer is a unit that prints two lines, then echoes every line of its
// input.
func echoer(name string) process.UnitSpec {
	return process.UnitSpec{Name: name, Process: process.RunOptions{
		Command: "sh", Args: []string{"-c", `echo one; echo two >&2; while read l; do echo "got $l"; done`},
	}, Ready: &process.Probe{Output: "^one$"}}
}

// awaitLines waits until the unit's log (GET) has n lines and returns them.
func (f *srvFixture) awaitLines(name string, n int) []LogLine {
	f.t.Helper()
	var lines []LogLine
	require.Eventually(f.t, func() bool {
		lines = decodeAnswer[[]LogLine](f.t, f.do("GET", "/v1/units/"+name+"/logs", nil), http.StatusOK)
		return len(lines) >= n
	}, 30*time.Second, 5*time.Millisecond)
	return lines
}

func TestServer_Logs_Attached(t *testing.T) {
	var seen []string
	f := newSrvFixture(t, Options{LogLines: 3})
	spec := echoer("echo")
	spec.Process.OnOutput = func(out process.ActionProcessOutput) { seen = append(seen, out.Line) }
	f.up(true, spec)

	lines := f.awaitLines("echo", 2)
	info, err := f.svc.Unit("echo")
	require.NoError(t, err)
	byStream := map[string]string{}
	for _, l := range lines {
		assert.Equal(t, "echo", l.Unit)
		assert.Equal(t, info.ProcessID, l.ProcessID)
		assert.False(t, l.Time.IsZero())
		byStream[l.Stream] = l.Line
	}
	assert.Equal(t, map[string]string{"stdout": "one", "stderr": "two"}, byStream)

	// The ring keeps the newest LogLines lines, oldest first.
	for i := range 3 {
		require.Equal(t, http.StatusNoContent, f.do("POST", "/v1/processes/"+info.ProcessID+"/input", fmt.Sprintf(`{"input": "%d\n"}`, i)).status)
	}
	require.Eventually(t, func() bool {
		lines = decodeAnswer[[]LogLine](t, f.do("GET", "/v1/units/echo/logs", nil), http.StatusOK)
		return len(lines) == 3 && lines[2].Line == "got 2"
	}, 30*time.Second, 5*time.Millisecond)
	assert.Equal(t, "got 0", lines[0].Line)
	assert.Equal(t, "got 1", lines[1].Line)

	// The caller's own OnOutput kept running (it ran first, on the same
	// goroutine as the log's).
	require.NoError(t, f.svc.Kill(info.ProcessID))
	f.waitEnded(info.ProcessID) // every OnOutput call is done
	assert.Contains(t, seen, "got 2")
}

func TestServer_Logs_FollowBacklogThenNewLines(t *testing.T) {
	f := newSrvFixture(t, Options{})
	f.up(true, echoer("echo"))
	f.awaitLines("echo", 2)
	info, err := f.svc.Unit("echo")
	require.NoError(t, err)

	stream := f.openStream("/v1/units/echo/logs?follow=1")
	first := eventData[LogLine](t, stream.next(t, nil))
	second := eventData[LogLine](t, stream.next(t, nil))
	assert.ElementsMatch(t, []string{"one", "two"}, []string{first.Line, second.Line}, "the backlog")

	require.Equal(t, http.StatusNoContent, f.do("POST", "/v1/processes/"+info.ProcessID+"/input", `{"input": "live\n"}`).status)
	msg := stream.next(t, nil)
	assert.Equal(t, "log", msg.event)
	live := eventData[LogLine](t, msg)
	assert.Equal(t, "got live", live.Line)
	assert.Equal(t, "stdout", live.Stream)
	assert.Equal(t, info.ProcessID, live.ProcessID)

	// A restart's lines follow in the same stream.
	require.Equal(t, http.StatusOK, f.do("POST", "/v1/units/echo/restart", nil).status)
	again := eventData[LogLine](t, stream.next(t, func(m sseMsg) bool { return eventData[LogLine](t, m).Line == "one" }))
	assert.NotEqual(t, info.ProcessID, again.ProcessID)
}

func TestServer_Logs_FollowSlowClientDropped(t *testing.T) {
	f := newSrvFixture(t, Options{EventBuffer: 4})
	f.up(true, process.UnitSpec{Name: "chatty", Process: process.RunOptions{
		Command: "sh", Args: []string{"-c", "while :; do echo 0123456789012345678901234567890123456789; done"}, OutputLimit: 4096,
	}})
	log := f.srv.logs.unit("chatty", false)
	require.NotNil(t, log)
	slow := srvOpenStream(t, f.client, "http://goprocess/v1/units/chatty/logs?follow=1", false)
	require.Eventually(t, func() bool {
		log.mu.Lock()
		defer log.mu.Unlock()
		return log.drops == 1
	}, 60*time.Second, 5*time.Millisecond)
	info, err := f.svc.Unit("chatty")
	require.NoError(t, err)
	assert.True(t, f.svc.IsRunning(info.ProcessID), "the unit's process keeps running")

	slow.startReading()
	got := slow.awaitEnd(t)
	require.NotEmpty(t, got)
	assert.Equal(t, "dropped", got[len(got)-1].event)
}

func TestServer_Logs_NotAttached_RetainedOutput(t *testing.T) {
	f := newSrvFixture(t, Options{})
	f.up(false, echoer("plain"))
	info, err := f.svc.Unit("plain")
	require.NoError(t, err)

	var lines []LogLine
	require.Eventually(t, func() bool {
		lines = decodeAnswer[[]LogLine](t, f.do("GET", "/v1/units/plain/logs", nil), http.StatusOK)
		return len(lines) == 2
	}, 30*time.Second, 5*time.Millisecond)
	got := []string{lines[0].Line, lines[1].Line}
	assert.ElementsMatch(t, []string{"one", "two"}, got)
	assert.Equal(t, info.ProcessID, lines[0].ProcessID)
	assert.Equal(t, "plain", lines[0].Unit)

	stream := f.openStream("/v1/units/plain/logs?follow=1")
	stream.next(t, nil)
	stream.next(t, nil)
	require.Equal(t, http.StatusNoContent, f.do("POST", "/v1/processes/"+info.ProcessID+"/input", `{"input": "live\n"}`).status)
	live := eventData[LogLine](t, stream.next(t, nil))
	assert.Equal(t, "got live", live.Line)
	assert.Equal(t, "stdout", live.Stream)
	assert.Equal(t, info.ProcessID, live.ProcessID)

	// A new run of the unit is followed too, from its first line: those
	// it writes before it is ready (its Ready probe waits for "one")
	// included.
	restarted := decodeAnswer[process.UnitInfo](t, f.do("POST", "/v1/units/plain/restart", nil), http.StatusOK)
	require.NotEqual(t, info.ProcessID, restarted.ProcessID)
	require.Equal(t, http.StatusNoContent, f.do("POST", "/v1/processes/"+restarted.ProcessID+"/input", `{"input": "again\n"}`).status)
	fromNewRun := func(m sseMsg) bool { return eventData[LogLine](t, m).ProcessID == restarted.ProcessID }
	var newRun []string
	for len(newRun) < 3 {
		newRun = append(newRun, eventData[LogLine](t, stream.next(t, fromNewRun)).Line)
	}
	assert.ElementsMatch(t, []string{"one", "two"}, newRun[:2], "the new run's lines before it was ready")
	assert.Equal(t, "got again", newRun[2])
}

func TestServer_Logs_BadQuery_400(t *testing.T) {
	f := newSrvFixture(t, Options{})
	f.up(false, sleeper("s"))
	a := f.do("GET", "/v1/units/s/logs?follow=sometimes", nil)
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, a.errorMessage(t), `"follow"`)
}
