package core

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
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

// ValidateName checks that name is usable as a service, action or command
// name: it must not be empty, "." or "..", nor contain a path separator
// ("/" or a backslash). It returns Result{Value: name, OK: true} or
// Result{Value: error, OK: false}.
func ValidateName(name string) Result {
	switch {
	case name == "" || name == "." || name == "..":
		return Result{Value: E("validate", "invalid name: "+name, nil), OK: false}
	case strings.ContainsAny(name, "/\\"):
		return Result{Value: E("validate", "name contains path separator: "+name, nil), OK: false}
	}
	return Result{Value: name, OK: true}
}
