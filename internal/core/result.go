package core

// Result is the universal return type of Core operations. A success is
// Result{Value: v, OK: true}; a failure carries its error as
// Result{Value: err, OK: false}.
type Result struct {
	Value any
	OK    bool
}

// Result returns r unchanged when called without arguments; with
// arguments it behaves exactly like New.
//
//	r := core.Result{}.Result(os.ReadFile(path))
func (r Result) Result(args ...any) Result {
	if len(args) == 0 {
		return r
	}
	return r.New(args...)
}

// New maps Go return values to a Result, e.g. Result{}.New(os.Open(p)).
// With two or more arguments whose last is a non-nil error, the result is
// Result{Value: err, OK: false}. Otherwise the first argument decides: a
// non-nil error gives Result{Value: err, OK: false}, a nil error gives
// Result{OK: true}, and any other value v gives Result{Value: v, OK: true}.
// No arguments return r.
func (r Result) New(args ...any) Result {
	if len(args) == 0 {
		return r
	}
	if len(args) > 1 {
		if err, ok := args[len(args)-1].(error); ok && err != nil {
			return Result{Value: err, OK: false}
		}
	}
	if err, ok := args[0].(error); ok {
		if err != nil {
			return Result{Value: err, OK: false}
		}
		return Result{OK: true}
	}
	return Result{Value: args[0], OK: true}
}

// Get returns r when it is OK, and otherwise a copy of r with OK false
// (the failure's Value is kept so the error is not lost).
func (r Result) Get() Result {
	if r.OK {
		return r
	}
	return Result{Value: r.Value, OK: false}
}
