package main

import (
	"slices"
	"strings"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/cluster"
)

// specOf is the cluster.Spec, the form sent to agents, of a unit the
// loader decoded; its UnitSpec gives u back, but for the order of Env,
// which is sorted by name (the loader keeps one entry a name).
func specOf(u process.UnitSpec) cluster.Spec {
	p := u.Process
	s := cluster.Spec{
		Name:        u.Name,
		Command:     p.Command,
		Args:        p.Args,
		Dir:         p.Dir,
		Env:         sortedEnv(p.Env),
		Restart:     string(u.Restart),
		MaxRestarts: u.MaxRestarts,
		GracePeriod: cluster.Duration(p.GracePeriod),
		Timeout:     cluster.Duration(p.Timeout),
		Ready:       probeOf(u.Ready),
		Alive:       probeOf(u.Alive),
	}
	if u.Backoff != (process.Backoff{}) {
		b := u.Backoff
		s.Backoff = &cluster.Backoff{
			Initial:    cluster.Duration(b.Initial),
			Max:        cluster.Duration(b.Max),
			Factor:     b.Factor,
			Jitter:     b.Jitter,
			ResetAfter: cluster.Duration(b.ResetAfter),
		}
	}
	for _, d := range u.After {
		s.After = append(s.After, cluster.Dependency{Unit: d.Unit, Condition: string(d.Condition)})
	}
	return s
}

// probeOf is the cluster.Probe of p, or nil.
func probeOf(p *process.Probe) *cluster.Probe {
	if p == nil {
		return nil
	}
	return &cluster.Probe{
		Exec:         p.Exec,
		HTTP:         p.HTTP,
		TCP:          p.TCP,
		Output:       p.Output,
		InitialDelay: cluster.Duration(p.InitialDelay),
		Period:       cluster.Duration(p.Period),
		Timeout:      cluster.Duration(p.Timeout),
		Failures:     p.Failures,
	}
}

// sortedEnv is env (NAME=value entries, one a name) sorted by name, so
// that reordering a unit's env does not change its spec.
func sortedEnv(env []string) []string {
	return slices.SortedFunc(slices.Values(env), func(a, b string) int {
		na, _, _ := strings.Cut(a, "=")
		nb, _, _ := strings.Cut(b, "=")
		return strings.Compare(na, nb)
	})
}
