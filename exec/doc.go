// Package exec runs external commands as os/exec does, with a Logger that
// is told about each command: a debug line when it starts, an error line
// when it fails. Its errors name the command line.
//
//	out, err := exec.Command(ctx, "git", "status", "--short").
//		WithDir(repo).
//		Output()
//
// It is the anchor's os/exec wrapper. For processes that are supervised —
// contained, stopped with their descendants, listed, streamed — use the
// process service of package process instead.
package exec
