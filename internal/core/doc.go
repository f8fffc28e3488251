// Package core is the subset of the Core framework (dappco.re/go/core
// v0.8.0-alpha.2) that go-process needs: a dependency-injection and
// lifecycle container with named actions, an IPC bus, a sandboxed
// filesystem and a few helpers.
//
// Every exported name here carries the real framework's signature and
// semantics, so code written against this package compiles unchanged
// against the real framework.
package core
