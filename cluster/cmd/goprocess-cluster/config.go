package main

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"dappco.re/go/core/process/cluster"
	"dappco.re/go/core/process/internal/config"
)

// cluster.yaml is process.yaml read by the shared loader (internal/config)
// as a remote file — its units run on other machines, so a relative dir
// stays relative and env_file, pty, rows and cols are refused — plus the
// placement keys nodes, labels and replicas, and names that are NATS
// subject tokens.

// loadConfig reads and validates cluster.yaml at path and returns its
// units in file order with the line of each name, or a config.Errors
// listing every problem.
func loadConfig(path string) ([]cluster.Placement, map[string]int, error) {
	places := placements{}
	f, err := config.Load(path, places.options()...)
	return places.of(f, err)
}

// parseConfig decodes data, the content of file.
func parseConfig(file string, data []byte) ([]cluster.Placement, map[string]int, error) {
	places := placements{}
	f, err := config.Parse(file, "", data, places.options()...)
	return places.of(f, err)
}

// placements are the placement keys of each unit, by unit name, as the
// loader hands them over.
type placements map[string]*cluster.Placement

// options are the loader's options for cluster.yaml, filling p.
func (p placements) options() []config.Option {
	return []config.Option{
		config.Remote(),
		config.UnitNames(func(name string) error { return cluster.CheckName("unit", name) }),
		config.UnitKey("nodes", p.nodes),
		config.UnitKey("labels", p.labels),
		config.UnitKey("replicas", p.replicas),
		config.CheckUnits(checkCycles),
	}
}

// of joins the loaded file f and the placement keys into placements, in
// file order, with the line of each unit's name.
func (p placements) of(f *config.File, err error) ([]cluster.Placement, map[string]int, error) {
	if err != nil {
		return nil, nil, err
	}
	out := make([]cluster.Placement, len(f.Units))
	lines := make(map[string]int, len(f.Units))
	for i, u := range f.Units {
		if keys := p[u.Spec.Name]; keys != nil {
			out[i] = *keys
		}
		out[i].Spec = specOf(u.Spec)
		lines[u.Spec.Name] = u.Line
	}
	return out, lines, nil
}

// unit returns the placement keys of the unit named name, made on first
// use.
func (p placements) unit(name string) *cluster.Placement {
	if p[name] == nil {
		p[name] = &cluster.Placement{}
	}
	return p[name]
}

// nodes decodes nodes: a list of node names.
func (p placements) nodes(unit, path string, v *yaml.Node, fail config.Fail) {
	var names []string
	if err := v.Decode(&names); err != nil {
		fail(v, path, "want a list of node names, got %s", config.Describe(v))
		return
	}
	for i, name := range names {
		if err := cluster.CheckName("node", name); err != nil {
			fail(v.Content[i], fmt.Sprintf("%s[%d]", path, i), "%v", err)
		}
	}
	p.unit(unit).Nodes = names
}

// labels decodes labels: a mapping of label names to strings.
func (p placements) labels(unit, path string, v *yaml.Node, fail config.Fail) {
	var labels map[string]string
	if v.Kind != yaml.MappingNode || v.Decode(&labels) != nil {
		fail(v, path, "want a mapping of label names to strings, got %s", config.Describe(v))
		return
	}
	p.unit(unit).Labels = labels
}

// replicas decodes replicas: a whole number that is not negative.
func (p placements) replicas(unit, path string, v *yaml.Node, fail config.Fail) {
	var n int
	if err := v.Decode(&n); err != nil {
		fail(v, path, "want a whole number, got %s", config.Describe(v))
		return
	}
	if n < 0 {
		fail(v, path, "must not be negative, got %d", n)
		return
	}
	p.unit(unit).Replicas = n
}
