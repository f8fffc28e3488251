package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"dappco.re/go/core/process"
)

// config is a loaded and validated process.yaml.
type config struct {
	file  string     // as given, for messages
	units []unitDecl // in file order
}

// unitDecl is one unit of the file and where it was declared.
type unitDecl struct {
	spec process.UnitSpec
	line int // the line of its name under units
}

// specs returns the units' specs, in file order.
func (c *config) specs() []process.UnitSpec {
	out := make([]process.UnitSpec, len(c.units))
	for i, u := range c.units {
		out[i] = u.spec
	}
	return out
}

// topKeys are the keys of the file's top level.
var topKeys = []string{"env_file", "units"}

// loadConfig reads, decodes and validates the file at path. envOverride,
// when not empty, replaces the file's env_file (it is relative to the
// working directory; env_file is relative to the file's directory). The
// error, if any, is a configErrors listing every problem found.
func loadConfig(path, envOverride string) (*config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, configErrors{{File: path, Msg: fmt.Sprintf("cannot read: %v", errors.Unwrap(err))}}
	}
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, configErrors{{File: path, Msg: fmt.Sprintf("cannot find its directory: %v", err)}}
	}
	return parseConfig(path, base, data, envOverride)
}

// parseConfig decodes data, the content of file, whose relative paths are
// relative to base.
func parseConfig(file, base string, data []byte, envOverride string) (*config, error) {
	if e := encodingError(file, data); e != nil {
		return nil, configErrors{*e}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, configErrors{syntaxError(file, err)}
	}
	d := &decoder{file: file}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, configErrors{{File: file, Msg: "the file is empty: want a mapping with units"}}
	}
	root := doc.Content[0]
	cfg := &config{file: file}
	var envNode, unitsNode *yaml.Node
	envFile := ""
	d.mapping(root, "", topKeys, func(key string, _, v *yaml.Node) {
		switch key {
		case "env_file":
			if s, ok := d.str(v, key); ok {
				envFile, envNode = resolve(base, s), v
			}
		case "units":
			unitsNode = v
		}
	})
	if root.Kind == yaml.MappingNode && unitsNode == nil {
		d.fail(root, "units", "missing: the file must list its units under units")
	}
	if unitsNode != nil {
		d.units(unitsNode, base, cfg)
	}
	var fileEnv []string
	switch {
	case envOverride != "":
		env, err := readEnvFile(envOverride)
		if err != nil {
			d.errs = append(d.errs, configError{File: envOverride, Msg: err.Error()})
		}
		fileEnv = env
	case envFile != "":
		env, err := readEnvFile(envFile)
		if err != nil {
			d.fail(envNode, "env_file", "%v", err)
		}
		fileEnv = env
	}
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	for i := range cfg.units {
		p := &cfg.units[i].spec.Process
		p.Env = mergeEnv(fileEnv, p.Env)
	}
	return cfg, nil
}

// units decodes the units mapping into cfg, then checks the names their
// dependencies give.
func (d *decoder) units(n *yaml.Node, base string, cfg *config) {
	afters := map[string]*yaml.Node{}
	d.mapping(n, "units", nil, func(name string, k, v *yaml.Node) {
		path := join("units", name)
		if err := checkName(name); err != nil {
			d.fail(k, path, "%v", err)
		}
		spec := d.unit(v, path, name, base)
		cfg.units = append(cfg.units, unitDecl{spec: spec, line: k.Line})
		afters[name] = findKey(v, "after")
	})
	if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		d.fail(n, "units", "no units: list at least one")
	}
	names := make([]string, len(cfg.units))
	for i, u := range cfg.units {
		names[i] = u.spec.Name
	}
	for _, u := range cfg.units {
		for i, dep := range u.spec.After {
			path := fmt.Sprintf("units.%s.after[%d]", u.spec.Name, i)
			node := afters[u.spec.Name]
			if node != nil && i < len(node.Content) {
				node = node.Content[i]
			}
			switch {
			case dep.Unit == u.spec.Name:
				d.fail(node, path, "unit %q cannot depend on itself", dep.Unit)
			case !contains(names, dep.Unit):
				d.fail(node, path, "unknown unit %q%s", dep.Unit, suggest(dep.Unit, names))
			}
		}
	}
}

// findKey returns the value of key in the mapping n, or nil.
func findKey(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// resolve makes p absolute, relative to base.
func resolve(base, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}
