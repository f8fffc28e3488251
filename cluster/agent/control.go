package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/micro"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
)

// controlWait bounds how long a control request waits for its unit to be
// ready or stopped before it replies with what it saw.
const controlWait = time.Minute

// serveControl answers restart, stop, start, signal and logs on the node's
// ControlSubject as a NATS micro service named goprocess-agent, until ctx
// ends. Each request is handled in a goroutine of its own.
func (a *runner) serveControl(ctx context.Context) error {
	srv, err := micro.AddService(a.nc, micro.Config{
		Name:        "goprocess-agent",
		Version:     "1.0.0",
		Description: "go-process cluster agent of node " + a.o.Node,
		Metadata:    map[string]string{"node": a.o.Node},
	})
	if err != nil {
		return fmt.Errorf("agent %s: control service: %w", a.o.Node, err)
	}
	defer func() { _ = srv.Stop() }()
	g := srv.AddGroup(cluster.ControlSubject(a.o.Node))
	ops := map[string]func(context.Context, cluster.ControlRequest) (any, error){
		cluster.OpRestart: a.ctlRestart,
		cluster.OpStop:    a.ctlStop,
		cluster.OpStart:   a.ctlStart,
		cluster.OpSignal:  a.ctlSignal,
		cluster.OpLogs:    a.ctlLogs,
	}
	for name, op := range ops {
		handler := micro.HandlerFunc(func(req micro.Request) {
			go a.answer(ctx, req, op)
		})
		if err := g.AddEndpoint(name, handler); err != nil {
			return fmt.Errorf("agent %s: control endpoint %s: %w", a.o.Node, name, err)
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

// answer decodes a request, runs op and replies with its value as JSON,
// or with a service error: 400 for a bad request, 404 for an unknown
// unit, 500 otherwise.
func (a *runner) answer(ctx context.Context, req micro.Request, op func(context.Context, cluster.ControlRequest) (any, error)) {
	var cr cluster.ControlRequest
	if err := json.Unmarshal(req.Data(), &cr); err != nil {
		_ = req.Error("400", fmt.Sprintf("node %s: bad request: %v", a.o.Node, err), nil)
		return
	}
	if _, err := a.svc.Unit(cr.Unit); err != nil {
		_ = req.Error("404", fmt.Sprintf("node %s: unknown unit %q", a.o.Node, cr.Unit), nil)
		return
	}
	octx, cancel := context.WithTimeout(ctx, controlWait)
	defer cancel()
	v, err := op(octx, cr)
	switch {
	case errors.Is(err, errBadRequest):
		_ = req.Error("400", fmt.Sprintf("node %s: %v", a.o.Node, err), nil)
	case err != nil:
		_ = req.Error("500", fmt.Sprintf("node %s: %v", a.o.Node, err), nil)
	default:
		_ = req.RespondJSON(v)
	}
}

// errBadRequest marks a request the agent cannot act on as asked.
var errBadRequest = errors.New("bad request")

// ctlRestart restarts the unit and replies with its info.
func (a *runner) ctlRestart(ctx context.Context, r cluster.ControlRequest) (any, error) {
	if err := a.svc.Restart(ctx, r.Unit); err != nil {
		return nil, err
	}
	return a.svc.Unit(r.Unit)
}

// ctlStop stops the unit (and the units that depend on it).
func (a *runner) ctlStop(ctx context.Context, r cluster.ControlRequest) (any, error) {
	if err := a.svc.Down(ctx, r.Unit); err != nil {
		return nil, err
	}
	return a.svc.Unit(r.Unit)
}

// ctlStart starts a unit that is stopped, failed or succeeded; a unit
// that runs is left as it is.
func (a *runner) ctlStart(ctx context.Context, r cluster.ControlRequest) (any, error) {
	info, err := a.svc.Unit(r.Unit)
	if err != nil {
		return nil, err
	}
	switch info.State {
	case process.UnitStopped, process.UnitFailed, process.UnitSucceeded:
		if err := a.svc.Restart(ctx, r.Unit); err != nil {
			return nil, err
		}
	}
	return a.svc.Unit(r.Unit)
}

// ctlSignal sends the named signal to the unit's process.
func (a *runner) ctlSignal(_ context.Context, r cluster.ControlRequest) (any, error) {
	sig, ok := cluster.Signal(r.Signal)
	if !ok {
		return nil, fmt.Errorf("%w: unknown signal %q", errBadRequest, r.Signal)
	}
	p, err := a.current(r.Unit)
	if err != nil {
		return nil, err
	}
	if err := p.Signal(sig); err != nil {
		return nil, fmt.Errorf("unit %q: signal %s: %w", r.Unit, r.Signal, err)
	}
	return a.svc.Unit(r.Unit)
}

// ctlLogs replies with the output the unit's current or last process has
// kept: the newest r.Lines lines, or all.
func (a *runner) ctlLogs(_ context.Context, r cluster.ControlRequest) (any, error) {
	p, err := a.current(r.Unit)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(p.Output(), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		lines = nil
	}
	if r.Lines > 0 && len(lines) > r.Lines {
		lines = lines[len(lines)-r.Lines:]
	}
	return cluster.LogsReply{Lines: lines}, nil
}

// current returns the unit's current or last process.
func (a *runner) current(unit string) (*process.Process, error) {
	info, err := a.svc.Unit(unit)
	if err != nil {
		return nil, err
	}
	if info.ProcessID == "" {
		return nil, fmt.Errorf("%w: unit %q has no process (%s)", errBadRequest, unit, info.State)
	}
	return a.svc.Get(info.ProcessID)
}
