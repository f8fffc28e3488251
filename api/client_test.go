package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
)

// fakeServer records the requests a client makes and answers them with
// canned replies, so the client is tested alone.
type fakeServer struct {
	mu       sync.Mutex
	requests []string // "METHOD PATH?QUERY"
	auth     []string
	handler  http.HandlerFunc
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	f.handler(w, r)
}

func (f *fakeServer) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// shortSocket returns a socket path short enough for sun_path (108 bytes),
// which t.TempDir's long names can exceed.
func shortSocket(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gpc")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "s.sock")
}

// serveUnix serves h on a fresh unix socket and returns a client of it.
func serveUnix(t *testing.T, h http.Handler) *Client {
	t.Helper()
	path := shortSocket(t)
	l, err := net.Listen("unix", path)
	require.NoError(t, err)
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return NewClient(path)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestClient_UnixSocket_MethodsHitTheDocumentedRoutes(t *testing.T) {
	since := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
	web := process.UnitInfo{Name: "web", State: process.UnitReady, PID: 42, ProcessID: "id-1-abcdef", Since: since}
	f := &fakeServer{handler: func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /v1/units":
			writeJSON(w, 200, []process.UnitInfo{web})
		case "GET /v1/units/web", "POST /v1/units/web/start", "POST /v1/units/web/stop", "POST /v1/units/web/restart":
			writeJSON(w, 200, web)
		case "GET /v1/processes":
			writeJSON(w, 200, []process.ProcessInfo{{ID: "id-1-abcdef", PID: 42, CPU: 1500 * time.Millisecond, Status: process.StatusRunning}})
		case "POST /v1/down":
			w.WriteHeader(http.StatusNoContent)
		case "GET /v1/units/web/logs":
			writeJSON(w, 200, []LogLine{{Unit: "web", Line: "hello", Stream: "stdout"}})
		default:
			writeJSON(w, 404, ErrorBody{Error: "no route " + r.URL.Path})
		}
	}}
	c := serveUnix(t, f)
	ctx := context.Background()

	units, err := c.Units(ctx)
	require.NoError(t, err)
	require.Len(t, units, 1)
	assert.Equal(t, web.Name, units[0].Name)
	assert.True(t, since.Equal(units[0].Since))

	for _, call := range []func(context.Context, string) (process.UnitInfo, error){c.Unit, c.StartUnit, c.StopUnit, c.RestartUnit} {
		u, err := call(ctx, "web")
		require.NoError(t, err)
		assert.Equal(t, 42, u.PID)
		assert.Equal(t, process.UnitReady, u.State)
	}

	procs, err := c.Processes(ctx)
	require.NoError(t, err)
	require.Len(t, procs, 1)
	assert.Equal(t, 1500*time.Millisecond, procs[0].CPU)

	require.NoError(t, c.Down(ctx))

	lines, err := c.Logs(ctx, "web")
	require.NoError(t, err)
	assert.Equal(t, []LogLine{{Unit: "web", Line: "hello", Stream: "stdout"}}, lines)

	assert.Equal(t, []string{
		"GET /v1/units", "GET /v1/units/web", "POST /v1/units/web/start", "POST /v1/units/web/stop",
		"POST /v1/units/web/restart", "GET /v1/processes", "POST /v1/down", "GET /v1/units/web/logs",
	}, f.seen())
	for _, a := range f.auth {
		assert.Empty(t, a, "no token over the unix socket")
	}
}

func TestClient_ErrorAnswer_CarriesStatusAndServerMessage(t *testing.T) {
	c := serveUnix(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/units/nope":
			writeJSON(w, 404, ErrorBody{Error: `process.unit: unit "nope": unit not found`})
		case "/v1/units/web/start":
			writeJSON(w, 409, ErrorBody{Error: "already up"})
		default:
			http.Error(w, "plain failure", http.StatusInternalServerError)
		}
	}))
	ctx := context.Background()

	_, err := c.Unit(ctx, "nope")
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.Status)
	assert.Equal(t, `process.unit: unit "nope": unit not found`, apiErr.Message)
	assert.EqualError(t, err, `process.unit: unit "nope": unit not found`)

	_, err = c.StartUnit(ctx, "web")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 409, apiErr.Status)

	err = c.Down(ctx)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.Status)
	assert.Equal(t, "plain failure", apiErr.Message, "a body that is not an ErrorBody is the message as is")
}

func TestClient_UnitNameIsEscaped(t *testing.T) {
	var got string
	c := serveUnix(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		writeJSON(w, 200, process.UnitInfo{})
	}))
	_, err := c.Unit(context.Background(), "a?b#c")
	require.NoError(t, err)
	assert.Equal(t, "/v1/units/a%3Fb%23c", got)
}

func TestClient_NoServer_WrapsErrNoServerWithTheSocket(t *testing.T) {
	path := shortSocket(t) // nothing listens there
	_, err := NewClient(path).Units(context.Background())
	require.ErrorIs(t, err, ErrNoServer)
	assert.Contains(t, err.Error(), path)

	// A socket file whose server has gone: connection refused.
	l, err := net.Listen("unix", path)
	require.NoError(t, err)
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	require.NoError(t, l.Close())
	_, err = NewClient(path).Units(context.Background())
	require.ErrorIs(t, err, ErrNoServer)
}

func TestClient_TCP_SendsTheBearerToken(t *testing.T) {
	f := &fakeServer{handler: func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			writeJSON(w, 401, ErrorBody{Error: "missing or wrong token"})
			return
		}
		writeJSON(w, 200, []process.UnitInfo{})
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)

	_, err := NewTCPClient(srv.URL+"/", "s3cret").Units(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"GET /v1/units"}, f.seen())

	_, err = NewTCPClient(srv.URL, "wrong").Units(context.Background())
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 401, apiErr.Status)
	assert.Equal(t, "missing or wrong token", apiErr.Message)
}

// sseHandler writes the given raw stream, then either ends it or holds it
// open until the request ends.
func sseHandler(raw string, hold bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("follow") != "1" {
			writeJSON(w, 400, ErrorBody{Error: "want follow=1"})
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(raw))
		w.(http.Flusher).Flush()
		if hold {
			<-r.Context().Done()
		}
	}
}

func logEvent(line string) string {
	b, _ := json.Marshal(LogLine{Unit: "web", Line: line, Stream: "stdout"})
	return "event: log\ndata: " + string(b) + "\n\n"
}

func TestClient_FollowLogs_ParsesEventsUntilTheStreamEnds(t *testing.T) {
	raw := ": ping\n\n" + // a comment, no event
		logEvent("one") +
		"event: log\r\ndata: " + `{"unit":"web","line":"two"}` + "\r\n\r\n" + // CRLF line ends
		"event: other\ndata: {}\n\n" + // an event type it does not know: ignored
		"id: 7\nretry: 10\nevent: log\ndata:" + `{"unit":"web","line":"three"}` + "\n\n" + // no space after the colon
		"event: log\n\n" + // no data: not dispatched
		"event: log\ndata: " + `{"unit":"web","line":"unterminated"}` // discarded at EOF
	c := serveUnix(t, sseHandler(raw, false))

	var got []string
	err := c.FollowLogs(context.Background(), "web", func(l LogLine) { got = append(got, l.Line) })
	require.NoError(t, err)
	assert.Equal(t, []string{"one", "two", "three"}, got)
}

func TestClient_FollowLogs_MultiLineDataIsJoined(t *testing.T) {
	var got []sseEvent
	err := readEvents(strings.NewReader("data: a\ndata: b\n\nevent: x\ndata\n\n"), func(ev sseEvent) error {
		got = append(got, ev)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []sseEvent{{data: "a\nb"}, {name: "x", data: ""}}, got)
}

func TestClient_FollowLogs_Dropped_IsAnError(t *testing.T) {
	c := serveUnix(t, sseHandler(logEvent("one")+"event: dropped\ndata: {\"reason\":\"too slow\"}\n\n", false))
	var got []string
	err := c.FollowLogs(context.Background(), "web", func(l LogLine) { got = append(got, l.Line) })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too slow")
	assert.Equal(t, []string{"one"}, got)
}

func TestClient_FollowLogs_EndsWithItsContext(t *testing.T) {
	c := serveUnix(t, sseHandler(logEvent("one"), true))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- c.FollowLogs(ctx, "web", func(l LogLine) { seen <- l.Line })
	}()
	select {
	case line := <-seen:
		assert.Equal(t, "one", line)
	case <-time.After(10 * time.Second):
		t.Fatal("no line arrived")
	}
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("FollowLogs did not return when its context ended")
	}
}

func TestClient_FollowLogs_ErrorAnswer(t *testing.T) {
	c := serveUnix(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, ErrorBody{Error: fmt.Sprintf("unit %q: unit not found", "nope")})
	}))
	err := c.FollowLogs(context.Background(), "nope", func(LogLine) { t.Error("no line expected") })
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr), "got %v", err)
	assert.Equal(t, 404, apiErr.Status)
	assert.Contains(t, apiErr.Message, "unit not found")
}
