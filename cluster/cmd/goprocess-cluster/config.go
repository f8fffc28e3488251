package main

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"dappco.re/go/core/process/cluster"
)

// The keys of cluster.yaml: process.yaml's unit keys (those that make
// sense on another machine) plus placement.
var (
	topKeys  = []string{"units"}
	unitKeys = []string{"command", "args", "dir", "env", "restart", "max_restarts", "backoff",
		"grace_period", "timeout", "ready", "alive", "after", "nodes", "labels", "replicas"}
	backoffKeys = []string{"initial", "max", "factor", "jitter", "reset_after"}
	probeKeys   = []string{"exec", "http", "tcp", "output", "initial_delay", "period", "timeout", "failures"}
)

// configError is one problem of the file, at a line.
type configError struct {
	file string
	line int
	path string
	msg  string
}

func (e configError) String() string {
	if e.path == "" {
		return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.file, e.line, e.path, e.msg)
}

// configErrors is every problem of a file, in the order found.
type configErrors []configError

func (es configErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.String()
	}
	return strings.Join(lines, "\n")
}

// unitDecl is a unit of the file and the line of its name.
type unitDecl struct {
	placement cluster.Placement
	line      int
	afterLine []int // the line of each dependency
}

// loader decodes one file, collecting every problem.
type loader struct {
	file string
	errs configErrors
}

func (l *loader) fail(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	l.errs = append(l.errs, configError{file: l.file, line: line, path: path, msg: fmt.Sprintf(format, args...)})
}

// loadConfig reads and validates cluster.yaml at path and returns its
// units in file order with the line of each name, or a configErrors
// listing every problem.
func loadConfig(path string) ([]cluster.Placement, map[string]int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: cannot read: %w", path, err)
	}
	return parseConfig(path, data)
}

// parseConfig decodes data, the content of file.
func parseConfig(file string, data []byte) ([]cluster.Placement, map[string]int, error) {
	l := &loader{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, configErrors{{file: file, line: syntaxLine(err), msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(doc.Content) == 0 {
		return nil, nil, configErrors{{file: file, line: 1, msg: "the file is empty: want a mapping with units"}}
	}
	var units []unitDecl
	root := doc.Content[0]
	l.mapping(root, "", topKeys, func(key string, k, v *yaml.Node) {
		units = l.units(v)
	})
	if root.Kind == yaml.MappingNode && findKey(root, "units") == nil {
		l.fail(root, "units", "missing: the file must list its units under units")
	}
	l.checkDependencies(units)
	if len(l.errs) > 0 {
		return nil, nil, l.errs
	}
	out := make([]cluster.Placement, len(units))
	lines := make(map[string]int, len(units))
	for i, u := range units {
		out[i] = u.placement
		lines[u.placement.Spec.Name] = u.line
	}
	return out, lines, nil
}

// syntaxLine digs the line out of a YAML syntax error ("yaml: line 3: …").
func syntaxLine(err error) int {
	var line int
	if _, scanErr := fmt.Sscanf(err.Error(), "yaml: line %d:", &line); scanErr != nil {
		return 1
	}
	return line
}

// mapping calls each for every key of n, a mapping, refusing keys not in
// allowed (nil: any) and duplicates; it reports whether n is a mapping.
func (l *loader) mapping(n *yaml.Node, path string, allowed []string, each func(key string, k, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		l.fail(n, path, "want a mapping, got %s", kindName(n))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		at := join(path, k.Value)
		switch {
		case seen[k.Value]:
			l.fail(k, at, "duplicate key")
		case allowed != nil && !slices.Contains(allowed, k.Value):
			l.fail(k, at, "unknown key (want one of %s)", strings.Join(allowed, ", "))
		default:
			seen[k.Value] = true
			each(k.Value, k, v)
		}
	}
	return true
}

// decode decodes v into out, refusing a value of another kind with want
// in the message.
func (l *loader) decode(v *yaml.Node, path string, out any, want string) bool {
	if err := v.Decode(out); err != nil {
		l.fail(v, path, "want %s, got %s", want, describe(v))
		return false
	}
	return true
}

// kindName names a node's kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

// describe renders a value for messages.
func describe(n *yaml.Node) string { return kindName(n) }

// findKey returns the value of key in mapping n, or nil.
func findKey(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// join appends key to a dotted path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// sortedEnv renders an env mapping as KEY=value items, sorted by key, so
// the same file always gives the same spec.
func sortedEnv(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "=" + m[k]
	}
	return out
}
