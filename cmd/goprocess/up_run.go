package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/api"
)

// shutdownTimeout bounds stopping the API server and the Core once every
// unit is down.
const shutdownTimeout = 10 * time.Second

// forceAfter is how long after the signal that began the shutdown another
// one forces it.
const forceAfter = 300 * time.Millisecond

// upRun is one run of `goprocess up`.
type upRun struct {
	o      upOptions
	pr     *printer
	stuck  *stuckReporter
	c      *core.Core
	svc    *process.Service
	srv    *api.Server
	sigs   chan os.Signal
	downRq chan struct{} // POST /v1/down has stopped every unit
	failed bool          // something other than a unit failed
}

// runUp starts the units and serves the API on listeners, waits for a
// signal or a down request, downs everything and returns the exit status.
func runUp(o upOptions, listeners []net.Listener, stdout, stderr io.Writer) int {
	specs := o.cfg.Specs()
	names := make([]string, len(specs))
	for i := range specs {
		names[i] = specs[i].Name
	}
	colour := false
	if f, ok := stdout.(*os.File); ok && os.Getenv("NO_COLOR") == "" {
		colour = isTerminal(f)
	}
	u := &upRun{o: o, pr: newPrinter(stdout, stderr, names, colour), downRq: make(chan struct{}, 1)}
	u.stuck = newStuckReporter(u.pr)
	for i := range specs {
		name := specs[i].Name
		specs[i].Process.OnOutput = func(e process.ActionProcessOutput) { u.pr.line(name, e.Line) }
	}

	// Signals are caught from here on, so that a Ctrl-C while the units
	// start still downs them.
	u.sigs = make(chan os.Signal, 2)
	signal.Notify(u.sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(u.sigs)

	u.c = core.New(core.WithService(process.Register))
	if r := u.c.ServiceStartup(context.Background(), nil); !r.OK {
		closeAll(listeners)
		u.pr.note("starting the process service: %v", r.Value)
		return exitFailed
	}
	svc, ok := core.ServiceFor[*process.Service](u.c, "process")
	if !ok {
		closeAll(listeners)
		u.pr.note("the process service is not registered")
		u.c.ServiceShutdown(context.Background())
		return exitFailed
	}
	u.svc = svc
	accepted := make(chan struct{})
	var acceptOnce sync.Once
	u.c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if ev, ok := msg.(process.ActionUnitChanged); ok {
			acceptOnce.Do(func() { close(accepted) })
			u.stuck.changed(ev)
		}
		return core.Result{OK: true}
	})
	u.srv = api.New(u.c, svc, api.Options{Token: o.token, AllowedHosts: o.allowedHosts, AllowStart: o.allowStart, OnDown: u.onDown})
	for i := range specs {
		u.srv.Attach(&specs[i])
	}

	upCtx, cancelUp := context.WithCancel(context.Background())
	defer cancelUp()
	upDone := make(chan error, 1)
	go func() { upDone <- svc.Up(upCtx, specs...) }()

	// Serve only once Up has accepted the units: a refusal starts nothing
	// and ends here.
	select {
	case <-accepted:
	case err := <-upDone:
		if refused(err) {
			closeAll(listeners)
			u.c.ServiceShutdown(context.Background())
			fmt.Fprintln(stderr, refusalErrors(o.cfg, err))
			fmt.Fprintln(stderr, "goprocess up: nothing started")
			return exitUsage
		}
		upDone <- err // handled below
	case <-u.sigs:
		cancelUp()
		return u.shutdown(listeners, false)
	}
	serveErr := u.serve(listeners)
	defer u.startDaemon()()
	look := time.NewTicker(stuckEvery)
	defer look.Stop()
	for {
		select {
		case <-look.C:
			u.stuck.look(svc.Units())
		case err := <-upDone:
			upDone = nil
			if err != nil {
				u.pr.note("not every unit came up: %v", err)
			} else {
				u.srv.SetReady(true)
				u.pr.note("every unit is up; API on %s", o.socket)
			}
		case err := <-serveErr:
			u.pr.note("the API server stopped: %v", err)
			u.failed = true
			cancelUp()
			return u.shutdown(nil, true)
		case <-u.downRq:
			cancelUp()
			return u.shutdown(nil, true)
		case <-u.sigs:
			cancelUp()
			return u.shutdown(nil, true)
		}
	}
}

// onDown is Options.OnDown: POST /v1/down has stopped every unit.
func (u *upRun) onDown() {
	select {
	case u.downRq <- struct{}{}:
	default:
	}
}

// serve serves the API on every listener; the channel gets the first
// error of one that stops by itself.
func (u *upRun) serve(listeners []net.Listener) <-chan error {
	errs := make(chan error, len(listeners))
	for _, l := range listeners {
		go func() {
			if err := u.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("%s %s: %w", l.Addr().Network(), l.Addr(), err)
			}
		}()
		if l.Addr().Network() == "tcp" {
			if u.o.generated {
				u.pr.note("dashboard: open %s (a token made for this run; set --token-file or $GOPROCESS_TOKEN to choose one)", dashboardURL(l.Addr(), u.o.token))
			} else {
				u.pr.note("dashboard: open %s?token=<your token>, or send Authorization: Bearer <token>", dashboardURL(l.Addr(), ""))
			}
		}
	}
	return errs
}

// shutdown downs every unit (a second signal kills what still runs), stops
// the API and the Core, and returns the exit status: 0 when every unit
// ended cleanly (stopped on request, or succeeded) and nothing had to be
// forced, else 1. listeners not yet served are closed; serving says
// whether the server serves.
func (u *upRun) shutdown(listeners []net.Listener, serving bool) int {
	began := time.Now()
	u.pr.note("stopping every unit (Ctrl-C again to force)")
	downDone := make(chan error, 1)
	go func() { downDone <- u.svc.Down(context.Background()) }()
	forced := false
	for waiting := true; waiting; {
		select {
		case err := <-downDone:
			if err != nil {
				u.pr.note("down: %v", err)
			}
			waiting = false
		case <-u.sigs:
			// The same signal sent to the whole process group (by
			// timeout(1), say) arrives twice at once: only a later one
			// forces.
			if !forced && time.Since(began) > forceAfter {
				forced = true
				signal.Stop(u.sigs) // a third signal ends this program at once
				u.pr.note("forcing: killing every process")
				for _, p := range u.svc.Running() {
					_ = p.Kill()
				}
			}
		}
	}
	final := u.svc.Units()
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	closeAll(listeners)
	if serving {
		if err := u.srv.Shutdown(ctx); err != nil {
			u.pr.note("stopping the API: %v", err)
		}
	}
	if r := u.c.ServiceShutdown(ctx); !r.OK {
		u.pr.note("stopping the process service: %v", r.Value)
	}
	status := exitOK
	if u.failed || forced {
		status = exitFailed
	}
	for _, info := range final {
		if info.State != process.UnitStopped && info.State != process.UnitSucceeded {
			status = exitFailed
			msg := fmt.Sprintf("%s ended %s", info.Name, info.State)
			if info.Error != "" {
				msg += ": " + info.Error
			}
			u.pr.note("%s", msg)
		}
	}
	return status
}

// closeAll closes every listener.
func closeAll(listeners []net.Listener) {
	for _, l := range listeners {
		l.Close()
	}
}
