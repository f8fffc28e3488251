package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"dappco.re/go/core/process"
)

// unitKeys are the keys of a unit: process.UnitSpec's fields and its
// Process's, in snake_case.
var unitKeys = []string{
	"command", "args", "dir", "env", "restart", "max_restarts", "backoff",
	"grace_period", "timeout", "pty", "rows", "cols", "ready", "alive", "after",
}

// backoffKeys are the keys of a unit's backoff.
var backoffKeys = []string{"initial", "max", "factor", "jitter", "reset_after"}

// unit decodes one unit. Its directory defaults to d.base, the directory
// of the file; a relative dir is relative to it. A key a caller added is
// handed to the caller's decode function.
func (d *decoder) unit(n *yaml.Node, path, name string) process.UnitSpec {
	spec := process.UnitSpec{Name: name, Process: process.RunOptions{Dir: d.base}}
	p := &spec.Process
	hasCommand := false
	d.mapping(n, path, d.opts.unitKeys(), func(key string, k, v *yaml.Node) {
		at := join(path, key)
		if decode, ok := d.opts.extra[key]; ok {
			decode(name, at, v, d.fail)
			return
		}
		switch key {
		case "command":
			if s, ok := d.str(v, at); ok {
				hasCommand = true
				if strings.TrimSpace(s) == "" {
					d.fail(v, at, "is empty")
				}
				p.Command = s
			}
		case "args":
			p.Args, _ = d.strList(v, at)
		case "dir":
			if s, ok := d.str(v, at); ok {
				p.Dir = resolve(d.base, s)
			}
		case "env":
			p.Env = d.env(v, at)
		case "restart":
			spec.Restart = d.restart(v, at)
		case "max_restarts":
			spec.MaxRestarts, _ = d.count(v, at)
		case "backoff":
			spec.Backoff = d.backoff(v, at)
		case "grace_period":
			p.GracePeriod, _ = d.duration(v, at)
		case "timeout":
			p.Timeout, _ = d.duration(v, at)
		case "pty":
			p.PTY, _ = d.boolean(v, at)
		case "rows", "cols":
			c, ok := d.count(v, at)
			if ok && c > 65535 {
				d.fail(v, at, "want 1 to 65535, got %d", c)
			}
			if key == "rows" {
				p.Rows = uint16(c)
			} else {
				p.Cols = uint16(c)
			}
		case "ready":
			spec.Ready = d.probe(v, at, false)
		case "alive":
			spec.Alive = d.probe(v, at, true)
		case "after":
			spec.After = d.after(v, at)
		}
	})
	if n.Kind == yaml.MappingNode && !hasCommand {
		d.fail(n, path, "command is missing")
	}
	return spec
}

// restart decodes a restart policy.
func (d *decoder) restart(n *yaml.Node, path string) process.RestartPolicy {
	s, ok := d.str(n, path)
	if !ok {
		return ""
	}
	switch p := process.RestartPolicy(s); p {
	case process.RestartNever, process.RestartOnFailure, process.RestartAlways:
		return p
	}
	d.fail(n, path, "unknown policy %q (want never, on-failure or always)", s)
	return ""
}

// backoff decodes a backoff mapping.
func (d *decoder) backoff(n *yaml.Node, path string) process.Backoff {
	var b process.Backoff
	d.mapping(n, path, backoffKeys, func(key string, _, v *yaml.Node) {
		at := join(path, key)
		switch key {
		case "initial":
			b.Initial, _ = d.duration(v, at)
		case "max":
			b.Max, _ = d.duration(v, at)
		case "reset_after":
			b.ResetAfter, _ = d.duration(v, at)
		case "factor":
			if f, ok := d.number(v, at); ok {
				if f != 0 && f < 1 {
					d.fail(v, at, "factor %v is below 1", f)
				}
				b.Factor = f
			}
		case "jitter":
			if f, ok := d.number(v, at); ok {
				if f > 1 {
					d.fail(v, at, "jitter %v is above 1", f)
				}
				b.Jitter = f
			}
		}
	})
	initial := b.Initial
	if initial == 0 {
		initial = 500 * time.Millisecond // the service's default
	}
	if b.Max != 0 && b.Max < initial {
		d.fail(n, path, "max %v is below initial %v", b.Max, initial)
	}
	return b
}

// after decodes the dependencies: each a unit name, or a mapping with
// unit and condition.
func (d *decoder) after(n *yaml.Node, path string) []process.Dependency {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "want a list of unit names or of {unit, condition}, got %s", Describe(n))
		return nil
	}
	var out []process.Dependency
	for i, item := range n.Content {
		at := fmt.Sprintf("%s[%d]", path, i)
		if item.Kind == yaml.ScalarNode {
			if s, ok := d.str(item, at); ok {
				out = append(out, process.Dependency{Unit: s})
			}
			continue
		}
		var dep process.Dependency
		hasUnit := false
		ok := d.mapping(item, at, []string{"unit", "condition"}, func(key string, _, v *yaml.Node) {
			switch key {
			case "unit":
				dep.Unit, hasUnit = d.str(v, join(at, key))
			case "condition":
				dep.Condition = d.condition(v, join(at, key))
			}
		})
		if ok && !hasUnit {
			d.fail(item, at, "unit is missing")
		}
		out = append(out, dep)
	}
	return out
}

// condition decodes a dependency condition.
func (d *decoder) condition(n *yaml.Node, path string) process.Condition {
	s, ok := d.str(n, path)
	if !ok {
		return ""
	}
	switch c := process.Condition(s); c {
	case process.ConditionStarted, process.ConditionReady, process.ConditionSucceeded:
		return c
	}
	d.fail(n, path, "unknown condition %q (want started, ready or succeeded)", s)
	return ""
}

// checkName refuses, at its key k, a unit name that checkName or else the
// caller's own check refuses.
func (d *decoder) checkName(k *yaml.Node, path, name string) {
	err := checkName(name)
	if err == nil && d.opts.checkName != nil {
		err = d.opts.checkName(name)
	}
	if err != nil {
		d.fail(k, path, "%v", err)
	}
}

// checkName refuses a unit name the service would refuse: one that could
// not be used in a path or on a command line as is.
func checkName(name string) error {
	if name == "" {
		return errors.New("a unit name cannot be empty")
	}
	if strings.ContainsAny(name, `/\`) || strings.IndexFunc(name, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) >= 0 {
		return fmt.Errorf("unit name %q contains a slash, a backslash, white space or a control character", name)
	}
	return nil
}
