// Package api serves a process service over HTTP: JSON under /v1/ for
// processes and units, Server-Sent Events for live logs and events, and a
// dashboard page at /. docs/api.md in the repository describes every
// route.
//
// The handlers are a thin adapter over the service's named actions
// (process.list, process.kill, process.restart, …): an error answer
// carries the action's own message. A Server is served on a unix socket
// (ListenUnix: mode 0600, no token) and, optionally, on TCP behind a
// bearer token:
//
//	srv := api.New(c, svc, api.Options{Token: token})
//	for i := range specs {
//		srv.Attach(&specs[i]) // keep each unit's lines for its log
//	}
//	svc.Up(ctx, specs...)
//	l, err := api.ListenUnix(path)
//	…
//	go srv.Serve(l)
//	defer srv.Shutdown(ctx)
package api
