package cluster

import (
	"syscall"
	"time"

	"dappco.re/go/core/process"
)

// Spec is a unit as it travels in NATS: the JSON of a node's desired list
// in BucketDesired. process.UnitSpec itself is not sent, since its
// RunOptions holds functions and writers, which have no JSON; Spec holds
// the fields a unit of process.yaml can set.
type Spec struct {
	Name        string       `json:"name"`
	Command     string       `json:"command"`
	Args        []string     `json:"args,omitempty"`
	Dir         string       `json:"dir,omitempty"`
	Env         []string     `json:"env,omitempty"`
	Restart     string       `json:"restart,omitempty"`
	MaxRestarts int          `json:"max_restarts,omitempty"`
	Backoff     *Backoff     `json:"backoff,omitempty"`
	GracePeriod Duration     `json:"grace_period,omitempty"`
	Timeout     Duration     `json:"timeout,omitempty"`
	Ready       *Probe       `json:"ready,omitempty"`
	Alive       *Probe       `json:"alive,omitempty"`
	After       []Dependency `json:"after,omitempty"`
}

// Backoff is process.Backoff in JSON.
type Backoff struct {
	Initial    Duration `json:"initial,omitempty"`
	Max        Duration `json:"max,omitempty"`
	Factor     float64  `json:"factor,omitempty"`
	Jitter     float64  `json:"jitter,omitempty"`
	ResetAfter Duration `json:"reset_after,omitempty"`
}

// Probe is process.Probe in JSON.
type Probe struct {
	Exec         []string `json:"exec,omitempty"`
	HTTP         string   `json:"http,omitempty"`
	TCP          string   `json:"tcp,omitempty"`
	Output       string   `json:"output,omitempty"`
	InitialDelay Duration `json:"initial_delay,omitempty"`
	Period       Duration `json:"period,omitempty"`
	Timeout      Duration `json:"timeout,omitempty"`
	Failures     int      `json:"failures,omitempty"`
}

// Dependency is process.Dependency in JSON.
type Dependency struct {
	Unit      string `json:"unit"`
	Condition string `json:"condition,omitempty"`
}

// UnitSpec returns the process.UnitSpec that s describes. The same Spec
// always gives an equal UnitSpec, so Service.Apply leaves a unit whose Spec
// did not change alone.
func (s Spec) UnitSpec() process.UnitSpec {
	u := process.UnitSpec{
		Name: s.Name,
		Process: process.RunOptions{
			Command:     s.Command,
			Args:        s.Args,
			Dir:         s.Dir,
			Env:         s.Env,
			GracePeriod: time.Duration(s.GracePeriod),
			Timeout:     time.Duration(s.Timeout),
		},
		Restart:     process.RestartPolicy(s.Restart),
		MaxRestarts: s.MaxRestarts,
		Ready:       s.Ready.probe(),
		Alive:       s.Alive.probe(),
	}
	if s.Backoff != nil {
		u.Backoff = process.Backoff{
			Initial:    time.Duration(s.Backoff.Initial),
			Max:        time.Duration(s.Backoff.Max),
			Factor:     s.Backoff.Factor,
			Jitter:     s.Backoff.Jitter,
			ResetAfter: time.Duration(s.Backoff.ResetAfter),
		}
	}
	for _, d := range s.After {
		u.After = append(u.After, process.Dependency{Unit: d.Unit, Condition: process.Condition(d.Condition)})
	}
	return u
}

// probe returns the process.Probe p describes, or nil.
func (p *Probe) probe() *process.Probe {
	if p == nil {
		return nil
	}
	return &process.Probe{
		Exec:         p.Exec,
		HTTP:         p.HTTP,
		TCP:          p.TCP,
		Output:       p.Output,
		InitialDelay: time.Duration(p.InitialDelay),
		Period:       time.Duration(p.Period),
		Timeout:      time.Duration(p.Timeout),
		Failures:     p.Failures,
	}
}

// signalNumbers are the signals a control request may name.
var signalNumbers = map[string]syscall.Signal{
	"SIGHUP": syscall.SIGHUP, "SIGINT": syscall.SIGINT, "SIGQUIT": syscall.SIGQUIT,
	"SIGKILL": syscall.SIGKILL, "SIGUSR1": syscall.SIGUSR1, "SIGUSR2": syscall.SIGUSR2,
	"SIGTERM": syscall.SIGTERM, "SIGCONT": syscall.SIGCONT, "SIGSTOP": syscall.SIGSTOP,
	"SIGWINCH": syscall.SIGWINCH,
}

// Signal returns the signal called name ("SIGHUP" or "HUP").
func Signal(name string) (syscall.Signal, bool) {
	if sig, ok := signalNumbers[name]; ok {
		return sig, true
	}
	sig, ok := signalNumbers["SIG"+name]
	return sig, ok
}
