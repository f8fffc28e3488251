// Package core is the subset of the Core framework (dappco.re/go/core
// v0.8.0-alpha.2) that go-process needs: a dependency-injection and
// lifecycle container with named actions, an IPC bus, a sandboxed
// filesystem and a few helpers.
//
// Every exported name here carries the real framework's signature and
// semantics, so code written against this package compiles unchanged
// against the real framework and behaves the same — including where the
// real behaviour is surprising: OnShutdown is always called with
// context.Background(); panics in OnStartup, OnShutdown and query handlers
// are not recovered; PerformAsync runs its action with
// context.Background(); New pre-registers a "cli" service; Fs.New re-roots
// the Fs it is called on; a zero Core is not usable.
//
// Deliberate differences, none of them visible to correct code: the Fs
// sandbox also refuses dangling symlinks that point outside the root and
// accepts a root that is itself a symlink; WriteAtomic fsyncs the file and
// the directory and never leaves its temporary file behind; logging goes
// through log/slog; and the lifecycle context and the PerformAsync
// bookkeeping are synchronised, so the race detector stays quiet.
package core
