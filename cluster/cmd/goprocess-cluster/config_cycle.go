package main

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"dappco.re/go/core/process/internal/config"
)

// checkCycles refuses a dependency cycle at the line of its first unit, so
// that apply refuses it before writing anything: on one machine Up would
// refuse it, but over many each agent sees only its own part.
func checkCycles(units []config.Unit, fail config.Fail) {
	byName := make(map[string]*config.Unit, len(units))
	for i := range units {
		byName[units[i].Spec.Name] = &units[i]
	}
	if cycle := findCycle(units, byName); cycle != nil {
		first := byName[cycle[0]]
		fail(&yaml.Node{Line: first.Line}, "units."+cycle[0], "dependency cycle %s", strings.Join(cycle, " → "))
	}
}

// findCycle returns a dependency cycle as a → b → a, or nil.
func findCycle(units []config.Unit, byName map[string]*config.Unit) []string {
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
			for _, dep := range u.Spec.After {
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
		if c := visit(u.Spec.Name); c != nil {
			return c
		}
	}
	return nil
}
