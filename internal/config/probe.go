package config

import (
	"net"
	"net/url"
	"regexp"

	"go.yaml.in/yaml/v3"

	"dappco.re/go/core/process"
)

// probeKeys are the keys of a probe.
var probeKeys = []string{"exec", "http", "tcp", "output", "initial_delay", "period", "timeout", "failures"}

// probe decodes a ready (alive false) or alive probe, checking that it
// has exactly one kind and that its target is well formed.
func (d *decoder) probe(n *yaml.Node, path string, alive bool) *process.Probe {
	pr := &process.Probe{}
	var kinds []string
	ok := d.mapping(n, path, probeKeys, func(key string, _, v *yaml.Node) {
		at := join(path, key)
		switch key {
		case "exec":
			kinds = append(kinds, key)
			if list, ok := d.strList(v, at); ok {
				if len(list) == 0 || list[0] == "" {
					d.fail(v, at, "want a command and its arguments, got an empty list")
				}
				pr.Exec = list
			}
		case "http":
			kinds = append(kinds, key)
			if s, ok := d.str(v, at); ok {
				if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					d.fail(v, at, "want an http:// or https:// URL, got %q", s)
				}
				pr.HTTP = s
			}
		case "tcp":
			kinds = append(kinds, key)
			if s, ok := d.str(v, at); ok {
				if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
					d.fail(v, at, "want host:port, got %q", s)
				}
				pr.TCP = s
			}
		case "output":
			kinds = append(kinds, key)
			if s, ok := d.str(v, at); ok {
				if alive {
					d.fail(v, at, "an output probe is for readiness only: use it under ready")
				} else if _, err := regexp.Compile(s); err != nil {
					d.fail(v, at, "invalid regular expression: %v", err)
				}
				pr.Output = s
			}
		case "initial_delay":
			pr.InitialDelay, _ = d.duration(v, at)
		case "period":
			pr.Period, _ = d.duration(v, at)
		case "timeout":
			pr.Timeout, _ = d.duration(v, at)
		case "failures":
			pr.Failures, _ = d.count(v, at)
		}
	})
	if ok && len(kinds) != 1 {
		if len(kinds) == 0 {
			d.fail(n, path, "no check: want exactly one of exec, http, tcp or output")
		} else {
			d.fail(n, path, "want exactly one of exec, http, tcp or output, got %d (%v)", len(kinds), kinds)
		}
	}
	return pr
}
