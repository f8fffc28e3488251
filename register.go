package process

import (
	"errors"
	"fmt"

	core "dappco.re/go/core"
)

// NewService returns a service factory for core.WithService. The factory's
// Result carries the *Service, registered under the name "process".
//
//	c := core.New(core.WithService(process.NewService(process.Options{BufferSize: 64 << 10})))
func NewService(opts Options) func(*core.Core) core.Result {
	return func(c *core.Core) core.Result {
		if c == nil {
			return core.Result{Value: errors.New("process: NewService: nil *core.Core")}
		}
		o := opts.withDefaults() // opts is shared by every Core the factory builds for
		containment, cgroups, err := resolveContainment(o.Containment)
		if err != nil {
			return core.Result{Value: fmt.Errorf("process: NewService: %w", err)}
		}
		t := newTable(o.KeepFinished)
		if cgroups != nil {
			t.fallback = cgroups.signal
		}
		return core.Result{
			Value: &Service{
				ServiceRuntime: core.NewServiceRuntime(c, o),
				table:          t,
				containment:    containment,
				cgroups:        cgroups,
			},
			OK: true,
		}
	}
}

// Register is the service factory with default options:
//
//	c := core.New(core.WithService(process.Register))
func Register(c *core.Core) core.Result {
	return NewService(Options{})(c)
}
