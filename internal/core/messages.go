package core

// Message is anything broadcast with ACTION.
type Message any

// Query is anything asked with QUERY or QUERYALL.
type Query any

// QueryHandler answers a Query: an OK Result is an answer, a non-OK one
// means "not mine".
type QueryHandler func(*Core, Query) Result

// ActionServiceStartup is broadcast once ServiceStartup has started every
// service.
type ActionServiceStartup struct{}

// ActionServiceShutdown is broadcast when ServiceShutdown begins, after
// the lifecycle context has been cancelled.
type ActionServiceShutdown struct{}

// ActionTaskStarted is broadcast when PerformAsync starts a background
// task.
type ActionTaskStarted struct {
	TaskIdentifier string
	Action         string
	Options        Options
}

// ActionTaskProgress is broadcast by Progress for a background task.
type ActionTaskProgress struct {
	TaskIdentifier string
	Action         string
	Progress       float64
	Message        string
}

// ActionTaskCompleted is broadcast when a background task started by
// PerformAsync has finished, with the action's Result.
type ActionTaskCompleted struct {
	TaskIdentifier string
	Action         string
	Result         Result
}
