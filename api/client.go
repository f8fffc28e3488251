package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"dappco.re/go/core/process"
)

// ErrNoServer reports that no server answered: nothing listens on the
// socket or address, or the connection was refused. Errors returned by a
// Client wrap it with the address; compare with errors.Is.
var ErrNoServer = errors.New("no goprocess server answers")

// Error is a request the server answered with a failure status. Message is
// the server's ErrorBody message (or the status text when the body had
// none).
type Error struct {
	// Status is the HTTP status code, 400 or above.
	Status int
	// Message is the server's message.
	Message string
}

// Error returns the server's message.
func (e *Error) Error() string {
	return e.Message
}

// Client talks to a Server over its unix socket or over TCP. Its methods
// are safe for concurrent use; none of them has a time limit of its own:
// bound a call with its ctx.
type Client struct {
	base  string // scheme and host, no trailing slash
	where string // the socket path or base URL, for messages
	token string
	http  *http.Client
}

// NewClient returns a client of the server listening on the unix socket at
// socketPath. Nothing is dialled until the first call.
func NewClient(socketPath string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socketPath)
		},
		DisableCompression: true,
	}
	return &Client{base: "http://goprocess", where: socketPath, http: &http.Client{Transport: tr}}
}

// NewTCPClient returns a client of the server at baseURL (such as
// "http://127.0.0.1:8080"), sending token as a bearer token with every
// request.
func NewTCPClient(baseURL, token string) *Client {
	base := strings.TrimRight(baseURL, "/")
	return &Client{base: base, where: base, token: token, http: &http.Client{}}
}

// Units returns every unit, in the order they were added.
func (c *Client) Units(ctx context.Context) ([]process.UnitInfo, error) {
	var out []process.UnitInfo
	err := c.do(ctx, http.MethodGet, "/v1/units", &out)
	return out, err
}

// Unit returns the named unit.
func (c *Client) Unit(ctx context.Context, name string) (process.UnitInfo, error) {
	var out process.UnitInfo
	err := c.do(ctx, http.MethodGet, unitPath(name, ""), &out)
	return out, err
}

// Processes returns every process in the server's table, in start order.
func (c *Client) Processes(ctx context.Context) ([]process.ProcessInfo, error) {
	var out []process.ProcessInfo
	err := c.do(ctx, http.MethodGet, "/v1/processes", &out)
	return out, err
}

// StartUnit starts the named unit and returns it once it is ready (or has
// succeeded).
func (c *Client) StartUnit(ctx context.Context, name string) (process.UnitInfo, error) {
	return c.unitAction(ctx, name, "start")
}

// StopUnit stops the named unit and every unit that depends on it, and
// returns it once they have stopped.
func (c *Client) StopUnit(ctx context.Context, name string) (process.UnitInfo, error) {
	return c.unitAction(ctx, name, "stop")
}

// RestartUnit restarts the named unit and returns it once it is ready
// again.
func (c *Client) RestartUnit(ctx context.Context, name string) (process.UnitInfo, error) {
	return c.unitAction(ctx, name, "restart")
}

// Down stops every unit, in reverse dependency order, and returns once
// they have stopped. A server run by `goprocess up` then exits.
func (c *Client) Down(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/v1/down", nil)
}

// Logs returns the lines the named unit's runs wrote that the server
// keeps, oldest first.
func (c *Client) Logs(ctx context.Context, name string) ([]LogLine, error) {
	var out []LogLine
	err := c.do(ctx, http.MethodGet, unitPath(name, "/logs"), &out)
	return out, err
}

func (c *Client) unitAction(ctx context.Context, name, verb string) (process.UnitInfo, error) {
	var out process.UnitInfo
	err := c.do(ctx, http.MethodPost, unitPath(name, "/"+verb), &out)
	return out, err
}

// unitPath is the path of the named unit, with suffix.
func unitPath(name, suffix string) string {
	return "/v1/units/" + url.PathEscape(name) + suffix
}

// do sends a request without a body and decodes a successful answer into
// out, when out is not nil.
func (c *Client) do(ctx context.Context, method, path string, out any) error {
	resp, err := c.send(ctx, method, path, "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode >= 400 {
		return answerError(resp.StatusCode, body)
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// send sends a request and returns the answer, whatever its status. A
// failure to connect wraps ErrNoServer.
func (c *Client) send(ctx context.Context, method, path, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", accept)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() == nil && isDialError(err) {
			return nil, fmt.Errorf("%w at %s: %v", ErrNoServer, c.where, err)
		}
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return resp, nil
}

// isDialError tells a connection that could not be made from one that
// failed later.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// answerError makes the *Error of a failed answer.
func answerError(status int, body []byte) error {
	var eb ErrorBody
	msg := ""
	if json.Unmarshal(body, &eb) == nil {
		msg = eb.Error
	}
	if msg == "" {
		msg = strings.TrimSpace(string(body))
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	return &Error{Status: status, Message: msg}
}

// FollowLogs calls fn with every line the named unit's runs wrote that the
// server keeps, then with each new line as it arrives, until the server
// ends the stream (it returns nil), ctx ends (it returns ctx.Err()), or the
// server drops this client for falling behind (an error saying so). fn is
// called from the calling goroutine, one line at a time.
func (c *Client) FollowLogs(ctx context.Context, name string, fn func(LogLine)) error {
	path := unitPath(name, "/logs?follow=1")
	resp, err := c.send(ctx, http.MethodGet, path, "text/event-stream")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return answerError(resp.StatusCode, body)
	}
	err = readEvents(resp.Body, func(ev sseEvent) error {
		switch ev.name {
		case "log", "", "message":
			var line LogLine
			if err := json.Unmarshal([]byte(ev.data), &line); err != nil {
				return fmt.Errorf("follow logs of %q: decoding a line: %w", name, err)
			}
			fn(line)
		case "dropped":
			var d struct {
				Reason string `json:"reason"`
			}
			_ = json.Unmarshal([]byte(ev.data), &d)
			if d.Reason == "" {
				d.Reason = ev.data
			}
			return fmt.Errorf("follow logs of %q: dropped by the server: %s", name, d.Reason)
		}
		return nil
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// sseEvent is one Server-Sent Event: its type and its data lines joined
// with "\n".
type sseEvent struct {
	name string
	data string
}

// readEvents parses a Server-Sent Events stream from r and calls fn with
// each event, until r ends (nil), fn fails (its error) or reading fails.
// Comment lines and fields other than event and data are ignored; an event
// without data is not dispatched, as the specification says.
func readEvents(r io.Reader, fn func(sseEvent) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var ev sseEvent
	var data []string
	hasData := false
	for {
		line, err := br.ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("reading the event stream: %w", err)
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			if hasData {
				ev.data = strings.Join(data, "\n")
				if ferr := fn(ev); ferr != nil {
					return ferr
				}
			}
			ev, data, hasData = sseEvent{}, data[:0], false
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			ev.name = value
		case "data":
			data = append(data, value)
			hasData = true
		}
		if err == io.EOF {
			return nil // an unterminated last event is discarded
		}
	}
}
