// Package config loads process.yaml: it reads the file, checks its
// encoding, decodes its units into process.UnitSpecs and reports every
// problem at its file, line and key path.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"dappco.re/go/core/process"
)

// File is a loaded and validated process.yaml.
type File struct {
	Path  string // as given, for messages
	Units []Unit // in file order
}

// Unit is one unit of the file and where it was declared.
type Unit struct {
	Spec process.UnitSpec
	Line int // the line of its name under units
}

// Specs returns the units' specs, in file order.
func (f *File) Specs() []process.UnitSpec {
	out := make([]process.UnitSpec, len(f.Units))
	for i, u := range f.Units {
		out[i] = u.Spec
	}
	return out
}

// Load reads, decodes and validates the file at path. Its relative paths
// (env_file, a unit's dir) are relative to the file's directory, which is
// also a unit's default dir. The error, if any, is an Errors listing every
// problem found.
func Load(path string, opts ...Option) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("cannot read: %v", errors.Unwrap(err))}}
	}
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("cannot find its directory: %v", err)}}
	}
	return Parse(path, base, data, opts...)
}

// Parse decodes data, the content of file, whose relative paths are
// relative to base. Its error, if any, is an Errors.
func Parse(file, base string, data []byte, opts ...Option) (*File, error) {
	o := newOptions(opts)
	if e := encodingError(file, data); e != nil {
		return nil, Errors{*e}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Errors{syntaxError(file, err)}
	}
	d := &decoder{file: file, opts: o}
	if !o.remote {
		d.base = base
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, Errors{{File: file, Msg: "the file is empty: want a mapping with units"}}
	}
	root := doc.Content[0]
	f := &File{Path: file}
	var envNode, unitsNode *yaml.Node
	envFile := ""
	d.mapping(root, "", o.topKeys(), func(key string, _, v *yaml.Node) {
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
		d.units(unitsNode, f)
	}
	for _, check := range o.checks {
		check(f.Units, d.fail)
	}
	fileEnv := d.fileEnv(o.envOverride, envFile, envNode)
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	for i := range f.Units {
		p := &f.Units[i].Spec.Process
		p.Env = mergeEnv(fileEnv, p.Env)
	}
	return f, nil
}

// fileEnv reads the env file every unit starts from: override if given
// (relative to the working directory), else the file's env_file.
func (d *decoder) fileEnv(override, envFile string, envNode *yaml.Node) []string {
	switch {
	case override != "":
		env, err := readEnvFile(override)
		if err != nil {
			d.errs = append(d.errs, Error{File: override, Msg: err.Error()})
		}
		return env
	case envFile != "":
		env, err := readEnvFile(envFile)
		if err != nil {
			d.fail(envNode, "env_file", "%v", err)
		}
		return env
	}
	return nil
}

// units decodes the units mapping into cfg, then checks the names their
// dependencies give.
func (d *decoder) units(n *yaml.Node, f *File) {
	afters := map[string]*yaml.Node{}
	d.mapping(n, "units", nil, func(name string, k, v *yaml.Node) {
		path := join("units", name)
		d.checkName(k, path, name)
		spec := d.unit(v, path, name)
		f.Units = append(f.Units, Unit{Spec: spec, Line: k.Line})
		afters[name] = findKey(v, "after")
	})
	if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		d.fail(n, "units", "no units: list at least one")
	}
	names := make([]string, len(f.Units))
	for i, u := range f.Units {
		names[i] = u.Spec.Name
	}
	for _, u := range f.Units {
		for i, dep := range u.Spec.After {
			path := fmt.Sprintf("units.%s.after[%d]", u.Spec.Name, i)
			node := afters[u.Spec.Name]
			if node != nil && i < len(node.Content) {
				node = node.Content[i]
			}
			switch {
			case dep.Unit == u.Spec.Name:
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

// resolve makes p absolute, relative to base; with no base (a remote
// file) p is kept as is.
func resolve(base, p string) string {
	if base == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}
