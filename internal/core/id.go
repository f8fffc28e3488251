package core

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"
)

var idCounter atomic.Uint64

// ID returns an identifier of the form "id-<n>-<6 hex>", where n is a
// process-wide counter (so IDs are unique within the process, across
// goroutines) and the hex suffix is random (so IDs from different runs
// rarely collide).
func ID() string {
	n := idCounter.Add(1)
	var b [3]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	var buf [40]byte
	out := append(buf[:0], "id-"...)
	out = strconv.AppendUint(out, n, 10)
	out = append(out, '-')
	out = hex.AppendEncode(out, b[:])
	return string(out)
}

// ValidateName checks that name is usable as a service, action or task
// name: non-empty, no surrounding whitespace, no path separators, no
// control characters and not "." or "..". It returns Result{Value: name,
// OK: true} or Result{Value: error, OK: false}.
func ValidateName(name string) Result {
	const op = "core.ValidateName"
	switch {
	case name == "":
		return Result{Value: E(op, "name is empty", nil), OK: false}
	case name == "." || name == "..":
		return Result{Value: E(op, "name "+strconv.Quote(name)+" is reserved", nil), OK: false}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '/' || c == '\\':
			return Result{Value: E(op, "name "+strconv.Quote(name)+" contains a path separator", nil), OK: false}
		case c < 0x20 || c == 0x7f:
			return Result{Value: E(op, "name "+strconv.Quote(name)+" contains a control character", nil), OK: false}
		}
	}
	if name[0] == ' ' || name[len(name)-1] == ' ' {
		return Result{Value: E(op, "name "+strconv.Quote(name)+" has surrounding spaces", nil), OK: false}
	}
	return Result{Value: name, OK: true}
}
