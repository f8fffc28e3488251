package api

import "time"

// LogLine is one line a unit's process wrote, as GET
// /v1/units/{name}/logs returns it.
type LogLine struct {
	// Unit names the unit.
	Unit string `json:"unit"`
	// ProcessID is the run (the managed process) that wrote the line.
	ProcessID string `json:"processId"`
	// Stream is "stdout", "stderr" or "pty".
	Stream string `json:"stream"`
	// Line is the text, without its line ending.
	Line string `json:"line"`
	// Time is when the line was read.
	Time time.Time `json:"time"`
}

// ErrorBody is the JSON body of every failed request.
type ErrorBody struct {
	// Error is the message of the action the request maps to.
	Error string `json:"error"`
}
