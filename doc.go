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
// session), so stopping a process reaches its grandchildren; the group is
// kept, and reached, until no member of it is alive, even after its leader
// has exited. Output is captured into a bounded buffer and broadcast line
// by line; the exit event always follows the last output event, and Wait
// returns after it.
//
// The record of a process follows the kernel: before any signal is sent,
// the kernel is asked whether the child has exited, so a process that
// exited on its own is never reported killed. Event handlers may call back
// into the service, on the process they are told about included.
// OnShutdown refuses new starts (ErrShuttingDown), stops every process and
// bounds itself by the grace periods, whatever context it is given.
//
// Processes run only on Linux 5.4 or later (pidfds, epoll, the
// parent-death signal); elsewhere the package builds but starting a process
// fails.
package process
