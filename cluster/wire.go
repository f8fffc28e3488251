package cluster

import (
	"time"

	"dappco.re/go/core/process"
)

// NodeInfo is a node's heartbeat in BucketNodes, under the node's name.
type NodeInfo struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
	Host   string            `json:"host"`
	PID    int               `json:"pid"`
	Since  time.Time         `json:"since"` // when the agent started
	Beat   time.Time         `json:"beat"`  // when this heartbeat was written
}

// Event is a message of EventSubject: a unit's change, or the outcome of
// applying the node's desired list (Unit empty, Revision set).
type Event struct {
	Node     string            `json:"node"`
	Unit     string            `json:"unit,omitempty"`
	State    process.UnitState `json:"state,omitempty"`
	Restarts int               `json:"restarts,omitempty"`
	Revision uint64            `json:"revision,omitempty"` // of the desired list applied
	Error    string            `json:"error,omitempty"`
	At       time.Time         `json:"at"`
}

// ControlRequest is the body of a request to a node's control service.
type ControlRequest struct {
	Unit   string `json:"unit"`
	Signal string `json:"signal,omitempty"` // signal: a name such as "SIGHUP" or "HUP"
	Lines  int    `json:"lines,omitempty"`  // logs: the newest lines wanted; 0 means all kept
}

// LogsReply is the reply of the logs endpoint: the output the unit's
// current (or last) process has kept, line by line.
type LogsReply struct {
	Lines []string `json:"lines"`
}

// The endpoints of a node's control service, under ControlSubject.
const (
	OpRestart = "restart"
	OpStop    = "stop"
	OpStart   = "start"
	OpSignal  = "signal"
	OpLogs    = "logs"
)

// StreamHeader is the header of an output line's message that names its
// stream ("stdout" or "stderr").
const StreamHeader = "Goprocess-Stream"
