// Package process runs and manages external processes for Core applications.
//
// Register the service with a Core to give the application process
// capability through named actions (process.run, process.start,
// process.kill, …):
//
//	c := core.New(core.WithService(process.Register))
//	c.ServiceStartup(ctx, nil)
//	r := c.Process().Run(ctx, "git", "log")
//
// Other services dispatch those actions through Core and never import this
// package. The *Service also works standalone through its Go methods.
//
// Every managed child leads its own process group (a PTY child its own
// session), so stopping a process reaches its grandchildren. Output is
// captured into a bounded buffer and broadcast line by line; the exit event
// always follows the last output event.
package process
