package core

import "errors"

// Err is a structured error: the operation that failed, a human-readable
// message and an optional cause. It supports errors.Is/As through Unwrap.
type Err struct {
	Operation string // operation being performed, e.g. "fs.Read"
	Message   string // what went wrong
	Cause     error  // underlying error, may be nil
	Code      string // optional machine-readable code
}

// Error renders "op: message [code]: cause", omitting the parts that are
// empty.
func (e *Err) Error() string {
	s := e.Message
	if e.Operation != "" {
		s = e.Operation + ": " + s
	}
	if e.Code != "" {
		s += " [" + e.Code + "]"
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the cause, so errors.Is and errors.As see through an Err.
func (e *Err) Unwrap() error {
	return e.Cause
}

// E returns a new *Err for operation op with message msg wrapping err
// (which may be nil). The result is never nil.
func E(op, msg string, err error) error {
	return &Err{Operation: op, Message: msg, Cause: err}
}

// Wrap adds operation context to err. It returns nil when err is nil and
// otherwise an *Err whose Cause is err; an error Code found on err's chain
// is carried over.
func Wrap(err error, op, msg string) error {
	if err == nil {
		return nil
	}
	var inner *Err
	if As(err, &inner) && inner.Code != "" {
		return &Err{Operation: op, Message: msg, Cause: err, Code: inner.Code}
	}
	return &Err{Operation: op, Message: msg, Cause: err}
}

// Is reports whether any error in err's chain matches target (errors.Is).
func Is(err, target error) bool {
	return errors.Is(err, target)
}

// As finds the first error in err's chain that matches target and sets
// target to it (errors.As, which panics when target is nil or not a
// non-nil pointer to an interface or error type).
func As(err error, target any) bool {
	return errors.As(err, target)
}

// ErrorJoin combines errs into one error (errors.Join); nil errors are
// dropped and the result is nil when every err is nil.
func ErrorJoin(errs ...error) error {
	return errors.Join(errs...)
}

// Operation returns the Operation of the first *Err in err's chain, or ""
// when there is none.
func Operation(err error) string {
	var e *Err
	if As(err, &e) {
		return e.Operation
	}
	return ""
}

// ErrorMessage returns the Message of the first *Err in err's chain, err's
// Error() text when the chain holds no *Err, and "" for a nil err.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Err
	if As(err, &e) {
		return e.Message
	}
	return err.Error()
}
