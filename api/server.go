package api

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
)

// Defaults for the zero fields of Options.
const (
	// DefaultLogLines is how many lines are kept per unit when
	// Options.LogLines is 0.
	DefaultLogLines = 1000
	// DefaultEventBuffer is how many events are queued per stream client
	// when Options.EventBuffer is 0.
	DefaultEventBuffer = 256
)

// pingInterval is how often an idle event stream gets a ": ping" comment.
const pingInterval = 15 * time.Second

// Options configures a Server.
type Options struct {
	// Token is the bearer token every request over a non-unix listener
	// must carry. Serve refuses a non-unix listener while it is shorter
	// than MinTokenBytes.
	// A browser gets it as a cookie (GET /?token=TOKEN), so keep to
	// characters a cookie value may hold: letters, digits and -._~ are
	// safe (a random hex or base64url string, say).
	Token string
	// AllowedHosts are host names (without a port) a request over a
	// non-unix listener may give in its Host header besides the
	// listener's address and localhost; any other gets 421.
	AllowedHosts []string
	// AllowStart allows POST /v1/processes (starting any command) over a
	// non-unix listener. A unix socket always allows it.
	AllowStart bool
	// LogLines is how many lines are kept per unit for
	// GET /v1/units/{name}/logs; 0 means DefaultLogLines.
	LogLines int
	// EventBuffer is how many events may wait for one stream client
	// (events or a log follow) before that client is dropped; 0 means
	// DefaultEventBuffer.
	EventBuffer int
	// OnDown, when set, is called in a goroutine of its own once
	// POST /v1/down has stopped every unit and its 204 has been sent.
	OnDown func()
}

// Server serves a process service over HTTP as docs/api.md describes.
// Its methods are safe for concurrent use.
type Server struct {
	c    *core.Core
	svc  *process.Service
	opts Options

	hub  *eventHub
	logs *logBook

	handler   http.Handler // the trusted handler: every route, no token
	pingEvery time.Duration
	limits    timeouts

	// closing is closed by Shutdown: streams end, new requests get 503.
	closing   chan struct{}
	closeOnce sync.Once
	base      context.Context // the base context of served requests
	cancel    context.CancelFunc
	inflight  requestTracker

	mu      sync.Mutex
	servers map[*http.Server]struct{}
	shut    bool

	ready atomic.Bool // what GET /ready answers (health.go)
}

// New returns a Server for the process service svc of Core c. It
// registers one broadcast handler with c (c.RegisterAction), which feeds
// GET /v1/events and never blocks a broadcast; make one Server per Core.
// Zero Options fields take the defaults given for each.
func New(c *core.Core, svc *process.Service, opts Options) *Server {
	if opts.LogLines <= 0 {
		opts.LogLines = DefaultLogLines
	}
	if opts.EventBuffer <= 0 {
		opts.EventBuffer = DefaultEventBuffer
	}
	base, cancel := context.WithCancel(context.Background())
	s := &Server{
		c:         c,
		svc:       svc,
		opts:      opts,
		hub:       newEventHub(opts.EventBuffer),
		logs:      newLogBook(opts.LogLines),
		pingEvery: pingInterval,
		limits:    defaultTimeouts,
		closing:   make(chan struct{}),
		base:      base,
		cancel:    cancel,
		servers:   make(map[*http.Server]struct{}),
	}
	s.inflight.init()
	s.handler = s.inflight.wrap(s.routes())
	c.RegisterAction(s.hub.handle)
	return s
}

// Handler returns the trusted handler: every route, no token asked. It is
// what Serve uses for a unix socket; use it only where whoever can reach
// it may run any command. Requests that arrive after Shutdown get 503.
func (s *Server) Handler() http.Handler {
	return s.handler
}
