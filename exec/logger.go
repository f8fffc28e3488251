package exec

import "sync/atomic"

// Logger receives a command's debug and error lines, with key/value pairs
// as log/slog takes them.
type Logger interface {
	Debug(msg string, keyvals ...any)
	Error(msg string, keyvals ...any)
}

// NopLogger discards everything. It is the default Logger.
type NopLogger struct{}

// Debug discards the line.
func (NopLogger) Debug(string, ...any) {}

// Error discards the line.
func (NopLogger) Error(string, ...any) {}

// loggerBox lets an atomic.Pointer hold any Logger.
type loggerBox struct{ Logger }

var defaultLogger atomic.Pointer[loggerBox]

func init() { defaultLogger.Store(&loggerBox{NopLogger{}}) }

// DefaultLogger returns the Logger of commands that were given none.
func DefaultLogger() Logger { return defaultLogger.Load().Logger }

// SetDefaultLogger sets the Logger of commands that are given none, from
// then on; nil sets NopLogger. It is safe for concurrent use.
func SetDefaultLogger(l Logger) {
	if l == nil {
		l = NopLogger{}
	}
	defaultLogger.Store(&loggerBox{l})
}
