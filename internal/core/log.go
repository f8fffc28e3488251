package core

import "log/slog"

// Info logs msg at info level with alternating key/value pairs, through
// the default log/slog logger.
func Info(msg string, keyvals ...any) {
	slog.Info(msg, keyvals...)
}

// Warn logs msg at warning level with alternating key/value pairs, through
// the default log/slog logger.
func Warn(msg string, keyvals ...any) {
	slog.Warn(msg, keyvals...)
}

// Error logs msg at error level with alternating key/value pairs, through
// the default log/slog logger.
func Error(msg string, keyvals ...any) {
	slog.Error(msg, keyvals...)
}
