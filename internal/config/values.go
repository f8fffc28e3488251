package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder turns the nodes of one configuration file into values,
// collecting every problem instead of stopping at the first.
type decoder struct {
	file string
	base string // the directory relative paths start from; empty: keep them as given
	opts *options
	errs Errors
}

// fail records a problem at node n, under path. It is a Fail.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.errs = append(d.errs, Error{File: d.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// mapping calls fn with each key and value of the mapping n, in file
// order, refusing keys that are not in known (naming the closest) and keys
// given twice. It reports false when n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path string, known []string, fn func(key string, k, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping, got %s", Describe(n))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		sub := join(path, key)
		switch {
		case k.Kind != yaml.ScalarNode:
			d.fail(k, path, "a key must be a string, got %s", Describe(k))
			continue
		case seen[key]:
			d.fail(k, sub, "given twice")
			continue
		}
		seen[key] = true
		if known != nil && !contains(known, key) {
			d.fail(k, sub, "unknown key %q%s", key, suggest(key, known))
			continue
		}
		fn(key, k, v)
	}
	return true
}

// str decodes a scalar as a string; empty (null) is refused.
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		d.fail(n, path, "want a string, got %s", Describe(n))
		return "", false
	}
	return n.Value, true
}

// strList decodes a list of strings.
func (d *decoder) strList(n *yaml.Node, path string) ([]string, bool) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "want a list of strings, got %s", Describe(n))
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for i, item := range n.Content {
		s, good := d.str(item, fmt.Sprintf("%s[%d]", path, i))
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}

// duration decodes a Go duration string ("500ms", "5s"). A bare number is
// refused, except 0: 5 is five seconds to a person and five nanoseconds to
// Go.
func (d *decoder) duration(n *yaml.Node, path string) (time.Duration, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" || n.ShortTag() == "!!bool" {
		d.fail(n, path, "want a duration such as \"5s\" or \"500ms\", got %s", Describe(n))
		return 0, false
	}
	if t := n.ShortTag(); t == "!!int" || t == "!!float" {
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && f == 0 {
			return 0, true
		}
		d.fail(n, path, "bare number %s: write %q for seconds or %q for milliseconds", n.Value, n.Value+"s", n.Value+"ms")
		return 0, false
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		d.fail(n, path, "invalid duration %q (want a duration such as \"5s\" or \"500ms\")", n.Value)
		return 0, false
	}
	if v < 0 {
		d.fail(n, path, "negative duration %q", n.Value)
		return 0, false
	}
	return v, true
}

// count decodes a whole number that is not negative.
func (d *decoder) count(n *yaml.Node, path string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.fail(n, path, "want a whole number, got %s", Describe(n))
		return 0, false
	}
	v, err := strconv.ParseInt(n.Value, 0, 32)
	if err != nil || v < 0 {
		d.fail(n, path, "want a whole number from 0 to %d, got %s", int32(^uint32(0)>>1), n.Value)
		return 0, false
	}
	return int(v), true
}

// number decodes a number.
func (d *decoder) number(n *yaml.Node, path string) (float64, bool) {
	if t := n.ShortTag(); n.Kind != yaml.ScalarNode || (t != "!!int" && t != "!!float") {
		d.fail(n, path, "want a number, got %s", Describe(n))
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil {
		d.fail(n, path, "want a number, got %s", n.Value)
		return 0, false
	}
	return v, true
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, path string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.fail(n, path, "want true or false, got %s", Describe(n))
		return false, false
	}
	v, err := strconv.ParseBool(strings.ToLower(n.Value))
	if err != nil {
		d.fail(n, path, "want true or false, got %s", n.Value)
		return false, false
	}
	return v, true
}

// env decodes a mapping of names to values, or a list of "NAME=value"
// strings, into "NAME=value" entries in file order.
func (d *decoder) env(n *yaml.Node, path string) []string {
	var out []string
	switch n.Kind {
	case yaml.MappingNode:
		d.mapping(n, path, nil, func(key string, k, v *yaml.Node) {
			if !validEnvName(key) {
				d.fail(k, join(path, key), "invalid variable name %q", key)
				return
			}
			if val, ok := d.str(v, join(path, key)); ok {
				out = append(out, key+"="+val)
			}
		})
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			s, ok := d.str(item, p)
			if !ok {
				continue
			}
			name, _, found := strings.Cut(s, "=")
			if !found || !validEnvName(name) {
				d.fail(item, p, "want NAME=value, got %q", s)
				continue
			}
			out = append(out, s)
		}
	default:
		d.fail(n, path, "want a mapping of names to values or a list of NAME=value, got %s", Describe(n))
	}
	return out
}

// validEnvName accepts a non-empty name without '=', NUL or white space.
func validEnvName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "= \t\r\n\x00")
}

// join appends key to a key path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
