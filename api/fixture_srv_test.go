package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
	"github.com/stretchr/testify/require"
)

// Helpers of the server's tests. Every process a test starts is stopped
// by the Core's shutdown in cleanup (and, where a test starts one by ID,
// killed by that ID first).

// srvFixture is a started Core with the process service, a Server for it
// served on a unix socket, and an HTTP client of that socket.
type srvFixture struct {
	t      *testing.T
	c      *core.Core
	svc    *process.Service
	srv    *Server
	sock   string
	client *http.Client
	served chan error
}

// newSrvCore returns a started Core with the process service, shut down
// in cleanup (which stops every process still running).
func newSrvCore(t *testing.T) (*core.Core, *process.Service) {
	t.Helper()
	c := core.New(core.WithService(process.Register))
	r := c.ServiceStartup(context.Background(), nil)
	require.True(t, r.OK, "startup: %v", r.Value)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c.ServiceShutdown(ctx)
	})
	svc, ok := core.ServiceFor[*process.Service](c, "process")
	require.True(t, ok, "process service registered")
	return c, svc
}

// newSrvFixture serves a new Server with opts on a unix socket.
func newSrvFixture(t *testing.T, opts Options) *srvFixture {
	t.Helper()
	c, svc := newSrvCore(t)
	return serveSrv(t, New(c, svc, opts))
}

// shutdown shuts the server down and returns what Serve returned.
func (f *srvFixture) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(f.t, f.srv.Shutdown(ctx))
	select {
	case err := <-f.served:
		f.served <- err // for a later call
		return err
	case <-ctx.Done():
		f.t.Fatal("Serve did not return after Shutdown")
		return nil
	}
}

// srvSocketPath returns a short socket path in a new directory (the
// directories of t.TempDir can be too long for a socket).
func srvSocketPath(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gps")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "api.sock")
}

// srvAnswer is a response read to the end.
type srvAnswer struct {
	status int
	header http.Header
	body   []byte
}

// errorMessage decodes the answer's ErrorBody.
func (a srvAnswer) errorMessage(t *testing.T) string {
	t.Helper()
	var eb ErrorBody
	require.NoError(t, json.Unmarshal(a.body, &eb), "error body: %s", a.body)
	return eb.Error
}

// do sends a request with body (a string, or nil) and reads the answer.
func (f *srvFixture) do(method, path string, body any) srvAnswer {
	f.t.Helper()
	return srvDo(f.t, f.client, "http://goprocess", method, path, body, nil)
}

// srvDo sends a request to base+path with headers and reads the answer.
func srvDo(t *testing.T, client *http.Client, base, method, path string, body any, header http.Header) srvAnswer {
	t.Helper()
	var rd io.Reader
	if s, isString := body.(string); isString {
		rd = strings.NewReader(s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return srvAnswer{status: resp.StatusCode, header: resp.Header, body: data}
}

// decodeAnswer requires status and decodes the body into a T.
func decodeAnswer[T any](t *testing.T, a srvAnswer, status int) T {
	t.Helper()
	require.Equal(t, status, a.status, "body: %s", a.body)
	var v T
	require.NoError(t, json.Unmarshal(a.body, &v), "body: %s", a.body)
	return v
}

// startProcess starts a process through POST /v1/processes and kills it
// by ID in cleanup.
func (f *srvFixture) startProcess(body string) process.ProcessInfo {
	f.t.Helper()
	info := decodeAnswer[process.ProcessInfo](f.t, f.do("POST", "/v1/processes", body), http.StatusCreated)
	f.t.Cleanup(func() { _ = f.svc.Kill(info.ID) })
	return info
}

// waitEnded waits until process id has ended.
func (f *srvFixture) waitEnded(id string) {
	f.t.Helper()
	p, err := f.svc.Get(id)
	require.NoError(f.t, err)
	select {
	case <-p.Done():
	case <-time.After(30 * time.Second):
		f.t.Fatalf("process %s did not end", id)
	}
}

// up brings units up, attached to the server when attach is set.
func (f *srvFixture) up(attach bool, specs ...process.UnitSpec) {
	f.t.Helper()
	for i := range specs {
		if attach {
			f.srv.Attach(&specs[i])
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(f.t, f.svc.Up(ctx, specs...))
}

// sseMsg is one event read from a stream; a comment has event ":".
type sseMsg struct {
	event string
	data  string
}

// srvStream is an open event stream, read by a goroutine of its own.
type srvStream struct {
	resp   *http.Response
	events chan sseMsg // closed at the end of the stream
	cancel context.CancelFunc
}

// openStream opens the event stream at path and requires a 200; the
// reader starts only when read is set (a slow client reads later, with
// startReading).
func (f *srvFixture) openStream(path string) *srvStream {
	f.t.Helper()
	return srvOpenStream(f.t, f.client, "http://goprocess"+path, true)
}

func srvOpenStream(t *testing.T, client *http.Client, url string, read bool) *srvStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	st := &srvStream{resp: resp, events: make(chan sseMsg, 1<<16), cancel: cancel}
	t.Cleanup(func() {
		cancel()
		_ = resp.Body.Close()
	})
	if read {
		st.startReading()
	}
	return st
}

// startReading starts the goroutine that parses the stream.
func (st *srvStream) startReading() {
	go func() {
		defer close(st.events)
		rd := bufio.NewReader(st.resp.Body)
		var msg sseMsg
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				if msg.event != "" {
					st.events <- msg
				}
				msg = sseMsg{}
			case strings.HasPrefix(line, ":"):
				msg = sseMsg{event: ":", data: strings.TrimSpace(line[1:])}
			case strings.HasPrefix(line, "event: "):
				msg.event = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				msg.data = line[len("data: "):]
			}
		}
	}()
}

// next returns the next event (comments skipped) that keep accepts,
// failing the test after a while or at the end of the stream.
func (st *srvStream) next(t *testing.T, keep func(sseMsg) bool) sseMsg {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case msg, open := <-st.events:
			if !open {
				t.Fatal("the stream ended")
			}
			if msg.event != ":" && (keep == nil || keep(msg)) {
				return msg
			}
		case <-timeout:
			t.Fatal("no event within 30s")
		}
	}
}

// awaitEnd waits for the end of the stream and returns the events read
// up to it.
func (st *srvStream) awaitEnd(t *testing.T) []sseMsg {
	t.Helper()
	var got []sseMsg
	timeout := time.After(60 * time.Second)
	for {
		select {
		case msg, open := <-st.events:
			if !open {
				return got
			}
			got = append(got, msg)
		case <-timeout:
			t.Fatal("the stream did not end within 60s")
		}
	}
}

// eventData decodes an event's data into a T.
func eventData[T any](t *testing.T, msg sseMsg) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(msg.data), &v), "data: %s", msg.data)
	return v
}

// serveSrv serves s on a unix socket, as newSrvFixture does, for a test
// that built s itself.
func serveSrv(t *testing.T, s *Server) *srvFixture {
	t.Helper()
	f := &srvFixture{t: t, c: s.c, svc: s.svc, srv: s, sock: srvSocketPath(t)}
	l, err := ListenUnix(f.sock)
	require.NoError(t, err)
	f.served = make(chan error, 1)
	go func() { f.served <- f.srv.Serve(l) }()
	t.Cleanup(func() { f.shutdown() })
	f.client = unixClient(f.sock)
	t.Cleanup(f.client.CloseIdleConnections)
	return f
}

// unixClient returns an HTTP client whose every connection goes to the
// socket at path.
func unixClient(path string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
}

// newRecorder returns a response recorder.
func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// mustRequest returns a request for the trusted handler.
func mustRequest(t *testing.T, method, path string) *http.Request {
	t.Helper()
	return httptest.NewRequestWithContext(t.Context(), method, path, nil)
}

// readAll reads resp's body.
func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return data
}

// listenLoopback listens on a free loopback TCP port.
func listenLoopback() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
