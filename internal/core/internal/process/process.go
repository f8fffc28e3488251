// Package process is a test fixture: a service type whose package path
// ends in "process", used to check how WithService names services.
package process

import (
	"context"

	"dappco.re/go/core"
)

// Service is a minimal Startable/Stoppable service for tests.
type Service struct {
	*core.ServiceRuntime[struct{}]
	Started, Stopped int
}

// Register is a WithService factory returning a new *Service.
func Register(c *core.Core) core.Result {
	return core.Result{Value: &Service{ServiceRuntime: core.NewServiceRuntime(c, struct{}{})}, OK: true}
}

// OnStartup counts starts.
func (s *Service) OnStartup(context.Context) core.Result { s.Started++; return core.Result{OK: true} }

// OnShutdown counts stops.
func (s *Service) OnShutdown(context.Context) core.Result { s.Stopped++; return core.Result{OK: true} }
