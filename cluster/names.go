package cluster

import (
	"fmt"
	"regexp"
)

// The names NATS holds go-process's state under (DESIGN §11).
const (
	// BucketDesired holds each node's desired units under DesiredKey.
	BucketDesired = "goprocess-desired"
	// BucketState holds each unit's process.UnitInfo under StateKey.
	BucketState = "goprocess-state"
	// BucketNodes holds each live node's heartbeat (NodeInfo) under its
	// name; the bucket's TTL removes the heartbeat of a silent node.
	BucketNodes = "goprocess-nodes"
	// Stream captures the units' output lines (LogSubject) and changes
	// (EventSubject).
	Stream = "GOPROCESS"
)

// DesiredKey is the key of node's desired list in BucketDesired.
func DesiredKey(node string) string { return "node." + node }

// StateKey is the key of a unit's UnitInfo in BucketState.
func StateKey(node, unit string) string { return node + "." + unit }

// LogSubject is the subject of a unit's output lines.
func LogSubject(node, unit string) string { return "goprocess.log." + node + "." + unit }

// EventSubject is the subject of a node's unit changes.
func EventSubject(node string) string { return "goprocess.event." + node }

// ControlSubject is the subject prefix of a node's control service: its
// endpoints are ControlSubject(node) + ".restart", ".stop", ".start",
// ".signal" and ".logs".
func ControlSubject(node string) string { return "goprocess.ctl." + node }

// namePattern is what node and unit names may hold: they become parts of
// NATS subjects and keys, where dots separate tokens.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// CheckName refuses a node or unit name (what says which) that cannot be
// one token of a NATS subject and key: empty, or with a character other
// than letters, digits, '-' and '_'.
func CheckName(what, name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%s name %q: want letters, digits, '-' and '_' only", what, name)
	}
	return nil
}
