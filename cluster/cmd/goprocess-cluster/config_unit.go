package main

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"dappco.re/go/core/process/cluster"
)

// units decodes the units mapping, in file order.
func (l *loader) units(n *yaml.Node) []unitDecl {
	var out []unitDecl
	l.mapping(n, "units", nil, func(name string, k, v *yaml.Node) {
		path := join("units", name)
		if err := cluster.CheckName("unit", name); err != nil {
			l.fail(k, path, "%v", err)
		}
		u := unitDecl{line: k.Line}
		u.placement.Spec.Name = name
		l.unit(k, v, path, &u)
		out = append(out, u)
	})
	if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		l.fail(n, "units", "no units: list at least one")
	}
	return out
}

// unit decodes one unit's mapping n, under its name k, into u.
func (l *loader) unit(k, n *yaml.Node, path string, u *unitDecl) {
	p := &u.placement
	s := &p.Spec
	ok := l.mapping(n, path, unitKeys, func(key string, _, v *yaml.Node) {
		at := join(path, key)
		switch key {
		case "command":
			if l.decode(v, at, &s.Command, "a string") && strings.TrimSpace(s.Command) == "" {
				l.fail(v, at, "is empty")
			}
		case "args":
			l.decode(v, at, &s.Args, "a list of strings")
		case "dir":
			l.decode(v, at, &s.Dir, "a string")
		case "env":
			s.Env = l.env(v, at)
		case "restart":
			if l.decode(v, at, &s.Restart, "a string") {
				switch s.Restart {
				case "never", "on-failure", "always":
				default:
					l.fail(v, at, "unknown policy %q (want never, on-failure or always)", s.Restart)
				}
			}
		case "max_restarts":
			l.count(v, at, &s.MaxRestarts)
		case "backoff":
			s.Backoff = l.backoff(v, at)
		case "grace_period":
			s.GracePeriod = l.duration(v, at)
		case "timeout":
			s.Timeout = l.duration(v, at)
		case "ready":
			s.Ready = l.probe(v, at)
		case "alive":
			s.Alive = l.probe(v, at)
			if s.Alive != nil && s.Alive.Output != "" {
				l.fail(v, at, "an output probe is for readiness only")
			}
		case "after":
			s.After, u.afterLine = l.after(v, at)
		case "nodes":
			if l.decode(v, at, &p.Nodes, "a list of node names") {
				for i, name := range p.Nodes {
					if err := cluster.CheckName("node", name); err != nil {
						l.fail(v.Content[i], fmt.Sprintf("%s[%d]", at, i), "%v", err)
					}
				}
			}
		case "labels":
			l.decode(v, at, &p.Labels, "a mapping of label names to strings")
		case "replicas":
			l.count(v, at, &p.Replicas)
		}
	})
	if ok && findKey(n, "command") == nil {
		l.fail(k, path, "command is missing")
	}
}

// env decodes a mapping of names to values, or a list of NAME=value.
func (l *loader) env(v *yaml.Node, at string) []string {
	if v.Kind == yaml.MappingNode {
		var m map[string]string
		if l.decode(v, at, &m, "a mapping of names to strings") {
			return sortedEnv(m)
		}
		return nil
	}
	var list []string
	if !l.decode(v, at, &list, "a mapping or a list of NAME=value") {
		return nil
	}
	for i, item := range list {
		if name, _, found := strings.Cut(item, "="); !found || name == "" {
			l.fail(v.Content[i], fmt.Sprintf("%s[%d]", at, i), "want NAME=value, got %q", item)
		}
	}
	return list
}

// count decodes a non-negative integer.
func (l *loader) count(v *yaml.Node, at string, out *int) {
	if l.decode(v, at, out, "a whole number") && *out < 0 {
		l.fail(v, at, "must not be negative, got %d", *out)
	}
}

// duration decodes a Go duration ("1.5s") that is not negative.
func (l *loader) duration(v *yaml.Node, at string) cluster.Duration {
	var d time.Duration
	if l.decode(v, at, &d, `a duration such as "1.5s"`) && d < 0 {
		l.fail(v, at, "must not be negative, got %v", d)
	}
	return cluster.Duration(d)
}

// backoff decodes a backoff mapping.
func (l *loader) backoff(n *yaml.Node, path string) *cluster.Backoff {
	b := &cluster.Backoff{}
	l.mapping(n, path, backoffKeys, func(key string, _, v *yaml.Node) {
		at := join(path, key)
		switch key {
		case "initial":
			b.Initial = l.duration(v, at)
		case "max":
			b.Max = l.duration(v, at)
		case "reset_after":
			b.ResetAfter = l.duration(v, at)
		case "factor":
			if l.decode(v, at, &b.Factor, "a number") && b.Factor != 0 && b.Factor < 1 {
				l.fail(v, at, "factor %v is below 1", b.Factor)
			}
		case "jitter":
			if l.decode(v, at, &b.Jitter, "a number") && b.Jitter > 1 {
				l.fail(v, at, "jitter %v is above 1", b.Jitter)
			}
		}
	})
	initial := time.Duration(b.Initial)
	if initial == 0 {
		initial = 500 * time.Millisecond // the service's default
	}
	if b.Max != 0 && time.Duration(b.Max) < initial {
		l.fail(n, path, "max %v is below initial %v", time.Duration(b.Max), initial)
	}
	return b
}

// probe decodes a probe with exactly one kind.
func (l *loader) probe(n *yaml.Node, path string) *cluster.Probe {
	p := &cluster.Probe{}
	kinds := 0
	ok := l.mapping(n, path, probeKeys, func(key string, _, v *yaml.Node) {
		at := join(path, key)
		switch key {
		case "exec":
			kinds++
			if l.decode(v, at, &p.Exec, "a list of strings") && len(p.Exec) == 0 {
				l.fail(v, at, "is empty")
			}
		case "http":
			kinds++
			l.decode(v, at, &p.HTTP, "a URL")
		case "tcp":
			kinds++
			l.decode(v, at, &p.TCP, "a host:port")
		case "output":
			kinds++
			if l.decode(v, at, &p.Output, "a regular expression") {
				if _, err := regexp.Compile(p.Output); err != nil {
					l.fail(v, at, "bad regular expression: %v", err)
				}
			}
		case "initial_delay":
			p.InitialDelay = l.duration(v, at)
		case "period":
			p.Period = l.duration(v, at)
		case "timeout":
			p.Timeout = l.duration(v, at)
		case "failures":
			l.count(v, at, &p.Failures)
		}
	})
	if ok && kinds != 1 {
		l.fail(n, path, "want exactly one of exec, http, tcp and output, got %d", kinds)
	}
	return p
}

// after decodes the dependencies, each a unit name or {unit, condition},
// with the line of each.
func (l *loader) after(n *yaml.Node, path string) ([]cluster.Dependency, []int) {
	if n.Kind != yaml.SequenceNode {
		l.fail(n, path, "want a list of unit names or of {unit, condition}, got %s", kindName(n))
		return nil, nil
	}
	var deps []cluster.Dependency
	var lines []int
	for i, item := range n.Content {
		at := fmt.Sprintf("%s[%d]", path, i)
		var dep cluster.Dependency
		if item.Kind == yaml.ScalarNode {
			dep.Unit = item.Value
		} else {
			l.mapping(item, at, []string{"unit", "condition"}, func(key string, _, v *yaml.Node) {
				switch key {
				case "unit":
					l.decode(v, join(at, key), &dep.Unit, "a unit name")
				case "condition":
					if l.decode(v, join(at, key), &dep.Condition, "a condition") {
						switch dep.Condition {
						case "started", "ready", "succeeded":
						default:
							l.fail(v, join(at, key), "unknown condition %q (want started, ready or succeeded)", dep.Condition)
						}
					}
				}
			})
			if item.Kind == yaml.MappingNode && dep.Unit == "" {
				l.fail(item, at, "unit is missing")
			}
		}
		deps = append(deps, dep)
		lines = append(lines, item.Line)
	}
	return deps, lines
}

// checkDependencies refuses dependencies on unknown units, on the unit
// itself, and cycles.
func (l *loader) checkDependencies(units []unitDecl) {
	byName := map[string]*unitDecl{}
	for i := range units {
		byName[units[i].placement.Spec.Name] = &units[i]
	}
	for _, u := range units {
		name := u.placement.Spec.Name
		for i, dep := range u.placement.Spec.After {
			at := fmt.Sprintf("units.%s.after[%d]", name, i)
			line := &yaml.Node{Line: u.afterLine[i]}
			switch {
			case dep.Unit == "":
			case dep.Unit == name:
				l.fail(line, at, "unit %q cannot depend on itself", name)
			case byName[dep.Unit] == nil:
				l.fail(line, at, "unknown unit %q", dep.Unit)
			}
		}
	}
	if cycle := findCycle(units, byName); cycle != nil {
		l.fail(&yaml.Node{Line: byName[cycle[0]].line}, "units."+cycle[0], "dependency cycle %s", strings.Join(cycle, " → "))
	}
}

// findCycle returns a dependency cycle as a → b → a, or nil.
func findCycle(units []unitDecl, byName map[string]*unitDecl) []string {
	state := map[string]int{} // 1: on the path, 2: done
	var path []string
	var visit func(string) []string
	visit = func(name string) []string {
		switch state[name] {
		case 1:
			for i, p := range path {
				if p == name {
					return append(append([]string(nil), path[i:]...), name)
				}
			}
		case 2:
			return nil
		}
		state[name] = 1
		path = append(path, name)
		if u := byName[name]; u != nil {
			for _, dep := range u.placement.Spec.After {
				if dep.Unit != name {
					if c := visit(dep.Unit); c != nil {
						return c
					}
				}
			}
		}
		path = path[:len(path)-1]
		state[name] = 2
		return nil
	}
	for _, u := range units {
		if c := visit(u.placement.Spec.Name); c != nil {
			return c
		}
	}
	return nil
}
