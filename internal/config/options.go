package config

import (
	"slices"

	"go.yaml.in/yaml/v3"
)

// Fail records a problem of the file at node n (its line), under the key
// path (such as "units.web.nodes[0]"). Every problem recorded makes the
// load fail with an Errors listing it among the others.
type Fail func(n *yaml.Node, path, format string, args ...any)

// DecodeFunc decodes the value v of an extra unit key for the unit named
// unit; path is the key's path ("units.web.nodes"). It reports a bad value
// through fail and keeps what it decodes itself.
type DecodeFunc func(unit, path string, v *yaml.Node, fail Fail)

// CheckFunc checks the decoded units as a whole (in file order), reporting
// problems through fail. It runs even when other problems were found, so
// that every problem is reported at once.
type CheckFunc func(units []Unit, fail Fail)

// Option changes how Load and Parse read a file.
type Option func(*options)

// options are the choices the Options made.
type options struct {
	envOverride string
	remote      bool
	extra       map[string]DecodeFunc
	extraKeys   []string // extra's keys, in the order given
	checkName   func(string) error
	checks      []CheckFunc
}

// EnvFile replaces the file's env_file with path, relative to the working
// directory (env_file is relative to the file's directory). An empty path
// changes nothing.
func EnvFile(path string) Option {
	return func(o *options) { o.envOverride = path }
}

// Remote reads a file whose units run on other machines: a unit's dir is
// kept as written (not made absolute) and defaults to none, and the keys
// that name something on this machine or its terminal (env_file, pty,
// rows, cols) are refused as unknown.
func Remote() Option {
	return func(o *options) { o.remote = true }
}

// UnitKey accepts key in every unit besides process.yaml's own keys and
// hands its value to decode. A key process.yaml already has is not
// replaced.
func UnitKey(key string, decode DecodeFunc) Option {
	return func(o *options) {
		if slices.Contains(unitKeys, key) {
			return
		}
		if _, ok := o.extra[key]; !ok {
			o.extraKeys = append(o.extraKeys, key)
		}
		o.extra[key] = decode
	}
}

// UnitNames adds check to the checks of a unit's name: a name the loader
// accepts and check refuses is reported at the name's line.
func UnitNames(check func(name string) error) Option {
	return func(o *options) { o.checkName = check }
}

// CheckUnits runs check over the decoded units once the file is read.
func CheckUnits(check CheckFunc) Option {
	return func(o *options) { o.checks = append(o.checks, check) }
}

// newOptions applies opts.
func newOptions(opts []Option) *options {
	o := &options{extra: map[string]DecodeFunc{}}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// localKeys are the keys a remote file refuses.
var localKeys = []string{"env_file", "pty", "rows", "cols"}

// topKeys are the keys of the file's top level.
func (o *options) topKeys() []string {
	return o.allowed([]string{"env_file", "units"})
}

// unitKeys are the keys of a unit: process.yaml's and the extra ones.
func (o *options) unitKeys() []string {
	return append(o.allowed(unitKeys), o.extraKeys...)
}

// allowed returns keys without the local ones for a remote file.
func (o *options) allowed(keys []string) []string {
	if !o.remote {
		return keys
	}
	return slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return slices.Contains(localKeys, k) })
}
