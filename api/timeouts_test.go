package api

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shortTimeouts are timeouts a test can wait out; the test's own deadline
// on the connection (connDeadline) is far longer.
var shortTimeouts = timeouts{header: 300 * time.Millisecond, body: 300 * time.Millisecond, idle: 300 * time.Millisecond, answer: 300 * time.Millisecond}

const connDeadline = 10 * time.Second

// dialRaw opens a TCP connection to the server at base (http://host:port)
// and closes it in cleanup.
func dialRaw(t *testing.T, base string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(connDeadline)))
	return conn
}

// serveShort serves a new Server with opts and short timeouts on TCP.
func serveShort(t *testing.T, opts Options) string {
	t.Helper()
	c, svc := newSrvCore(t)
	s := New(c, svc, opts)
	s.limits = shortTimeouts
	return serveTCP(t, s)
}

// requireClosed requires the server to close conn (EOF) before the
// test's deadline on it.
func requireClosed(t *testing.T, rd *bufio.Reader) {
	t.Helper()
	rest, err := io.ReadAll(rd)
	require.NoError(t, err, "the server kept the connection open (read %q)", rest)
}

func TestServer_StalledBody_AnsweredAndClosedAfterTheBodyTimeout(t *testing.T) {
	for name, auth := range map[string]string{"without a token": "", "with the token": "Authorization: Bearer " + srvTestToken + "\r\n"} {
		t.Run(name, func(t *testing.T) {
			base := serveShort(t, Options{Token: srvTestToken})
			conn := dialRaw(t, base)
			host := strings.TrimPrefix(base, "http://")
			_, err := fmt.Fprintf(conn, "POST /v1/down HTTP/1.1\r\nHost: %s\r\n%sContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", host, auth)
			require.NoError(t, err)
			rd := bufio.NewReader(conn)
			resp, err := http.ReadResponse(rd, nil)
			require.NoError(t, err, "an answer before the test's deadline")
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, "%s", body)
			assert.Contains(t, string(body), "not received within")
			requireClosed(t, rd)
		})
	}
}

func TestServer_IdleConnectionAfterA401_ClosedAfterTheIdleTimeout(t *testing.T) {
	base := serveShort(t, Options{Token: srvTestToken})
	conn := dialRaw(t, base)
	_, err := fmt.Fprintf(conn, "GET /v1/units HTTP/1.1\r\nHost: %s\r\n\r\n", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	rd := bufio.NewReader(conn)
	resp, err := http.ReadResponse(rd, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.False(t, resp.Close, "the connection is kept alive")
	requireClosed(t, rd)
}

func TestServer_StalledHeaders_ClosedAfterTheHeaderTimeout(t *testing.T) {
	base := serveShort(t, Options{Token: srvTestToken})
	conn := dialRaw(t, base)
	_, err := fmt.Fprintf(conn, "GET /v1/units HTTP/1.1\r\nHost: %s\r\n", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	rd := bufio.NewReader(conn)
	_, _ = http.ReadResponse(rd, nil) // the server may answer 408 first
	requireClosed(t, rd)
}

func TestServer_Timeouts_DoNotCutAStream(t *testing.T) {
	c, svc := newSrvCore(t)
	s := New(c, svc, Options{Token: srvTestToken})
	s.limits = shortTimeouts
	base := serveTCP(t, s)
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)

	// A stream opened with a body stays open past the body and idle
	// timeouts: it still gets an event after them.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/v1/events", strings.NewReader("{}"))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srvTestToken)
	resp, err := client.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	require.Equal(t, http.StatusOK, resp.StatusCode)
	opened := time.Now()
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// Wait (polling, not asserting on time) until every timeout has passed.
	require.Eventually(t, func() bool { return time.Since(opened) > 3*shortTimeouts.body }, connDeadline, 10*time.Millisecond)
	require.True(t, svc.Start(context.Background(), "true").OK)
	deadline := time.After(connDeadline)
	for {
		select {
		case line, open := <-lines:
			require.True(t, open, "the stream ended")
			if line == "event: started" {
				return
			}
		case <-deadline:
			t.Fatal("no event on the stream")
		}
	}
}

func TestServer_AnswerNotTaken_DisconnectedAfterTheAnswerTimeout(t *testing.T) {
	c, svc := newSrvCore(t)
	s := New(c, svc, Options{})
	s.limits = shortTimeouts
	// An answer far larger than the sockets' buffers, to a client that
	// reads none of it.
	written := make(chan error, 1)
	srv := s.httpServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		chunk := make([]byte, 1<<20)
		for range 256 {
			if _, err := w.Write(chunk); err != nil {
				written <- err
				return
			}
		}
		written <- nil
	}))
	l, err := listenLoopback()
	require.NoError(t, err)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	conn, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, conn.(*net.TCPConn).SetReadBuffer(4096))
	_, err = fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", l.Addr())
	require.NoError(t, err)
	select {
	case err := <-written:
		require.Error(t, err, "the whole answer was taken by a client that read nothing")
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	case <-time.After(connDeadline):
		t.Fatal("the answer's writer is still blocked")
	}
}

func TestServer_BodyTooLarge_RefusedAndClosed(t *testing.T) {
	base := serveShort(t, Options{Token: srvTestToken})
	conn := dialRaw(t, base)
	// One byte more than the bound, declared larger still and not all sent.
	_, err := fmt.Fprintf(conn, "POST /v1/down HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		strings.TrimPrefix(base, "http://"), srvTestToken, maxBodyBytes+100, strings.Repeat(" ", maxBodyBytes+1))
	require.NoError(t, err)
	rd := bufio.NewReader(conn)
	resp, err := http.ReadResponse(rd, nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), "larger than")
	requireClosed(t, rd)
}

func TestServer_SlowAction_AnswerTimeoutRunsFromItsFirstByte(t *testing.T) {
	c, svc := newSrvCore(t)
	s := New(c, svc, Options{})
	s.limits = shortTimeouts
	// An action that takes longer than every timeout before it answers
	// (a restart waiting out a grace period), to a request with a body.
	srv := s.httpServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		for time.Since(began) < 3*shortTimeouts.answer {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		body, _ := io.ReadAll(r.Body)
		_, _ = w.Write(append([]byte("done: "), body...))
	}))
	l, err := listenLoopback()
	require.NoError(t, err)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	a := srvDo(t, client, "http://"+l.Addr().String(), "POST", "/", "{}", nil)
	assert.Equal(t, http.StatusOK, a.status)
	assert.Equal(t, "done: {}", string(a.body))
}
