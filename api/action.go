package api

import (
	"context"
	"fmt"
	"net/http"

	core "dappco.re/go/core"
)

// run runs the named action with opts and returns its value, or an
// *actionError carrying the action's own error.
func (s *Server) run(ctx context.Context, name string, opts ...core.Option) (any, error) {
	r := s.c.Action(name).Run(ctx, core.NewOptions(opts...))
	if !r.OK {
		return nil, s.failure(name, r)
	}
	return r.Value, nil
}

// runAs runs the named action, as run does, and returns its value as a T;
// a value of another type is a 500.
func runAs[T any](s *Server, ctx context.Context, name string, opts ...core.Option) (T, error) {
	var zero T
	v, err := s.run(ctx, name, opts...)
	if err != nil {
		return zero, err
	}
	t, isT := v.(T)
	if !isT {
		return zero, &actionError{
			status: http.StatusInternalServerError,
			err:    fmt.Errorf("%s: answered with a %T, want a %T", name, v, zero),
		}
	}
	return t, nil
}

// opt is shorthand for a core.Option.
func opt(key string, value any) core.Option {
	return core.Option{Key: key, Value: value}
}
