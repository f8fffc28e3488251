package process

import (
	"slices"
	"strings"
)

// findCycle returns a dependency cycle of graph (unit name → the names it
// depends on) as the path a → b → … → a, or nil when there is none. It
// starts from the names in from, in order, so the report is stable.
func findCycle(graph map[string][]string, from []string) []string {
	const (
		unseen = iota
		onPath
		finished
	)
	mark := make(map[string]int, len(graph))
	var path []string
	var visit func(name string) []string
	visit = func(name string) []string {
		switch mark[name] {
		case onPath:
			start := slices.Index(path, name)
			return append(slices.Clone(path[start:]), name)
		case finished:
			return nil
		}
		mark[name] = onPath
		path = append(path, name)
		for _, next := range graph[name] {
			if cycle := visit(next); cycle != nil {
				return cycle
			}
		}
		path = path[:len(path)-1]
		mark[name] = finished
		return nil
	}
	for _, name := range from {
		if cycle := visit(name); cycle != nil {
			return cycle
		}
	}
	return nil
}

// formatCycle renders a cycle as "a" → "b" → "a".
func formatCycle(cycle []string) string {
	quoted := make([]string, len(cycle))
	for i, name := range cycle {
		quoted[i] = `"` + name + `"`
	}
	return strings.Join(quoted, " → ")
}

// dependsOn reports whether u lists name in After.
func (u *unit) dependsOn(name string) bool {
	for _, dep := range u.spec.After {
		if dep.Unit == name {
			return true
		}
	}
	return false
}

// withDependentsLocked returns targets together with every unit that
// depends on one of them, directly or not, in the order units were added.
func (m *unitSet) withDependentsLocked(targets []*unit) []*unit {
	in := make(map[*unit]bool, len(targets))
	for _, u := range targets {
		in[u] = true
	}
	for grown := true; grown; {
		grown = false
		for _, u := range m.order {
			if in[u] {
				continue
			}
			for _, t := range m.order {
				if in[t] && u.dependsOn(t.spec.Name) {
					in[u] = true
					grown = true
					break
				}
			}
		}
	}
	var out []*unit
	for _, u := range m.order {
		if in[u] {
			out = append(out, u)
		}
	}
	return out
}

// dependentsAmong returns the units of among that depend on u, directly
// or through other units (of among or not): all must stop before u does.
func dependentsAmong(u *unit, among []*unit, all []*unit) []*unit {
	names := map[string]bool{u.spec.Name: true}
	for grown := true; grown; {
		grown = false
		for _, d := range all {
			if names[d.spec.Name] {
				continue
			}
			for name := range names {
				if d.dependsOn(name) {
					names[d.spec.Name] = true
					grown = true
					break
				}
			}
		}
	}
	var out []*unit
	for _, d := range among {
		if d != u && names[d.spec.Name] {
			out = append(out, d)
		}
	}
	return out
}
