package main

import (
	"regexp"
	"strconv"
	"strings"

	"dappco.re/go/core/process/internal/config"
)

// refusedMarker is in the message of an Up call the service refused
// before starting anything.
const refusedMarker = "up refused, nothing started: "

// refused reports whether err is Up refusing its units (as opposed to a
// unit failing once started).
func refused(err error) bool {
	return err != nil && strings.Contains(err.Error(), refusedMarker)
}

// reasonStart finds the start of one reason of a refusal: `unit "web": `.
var reasonStart = regexp.MustCompile(`(?:^|; )unit ("(?:[^"\\]|\\.)*"): `)

// refusalErrors maps the reasons of a refusal to the units' lines in the
// file.
func refusalErrors(cfg *config.File, err error) config.Errors {
	msg := err.Error()
	body := msg[strings.Index(msg, refusedMarker)+len(refusedMarker):]
	lines := map[string]int{}
	for _, u := range cfg.Units {
		lines[u.Spec.Name] = u.Line
	}
	locs := reasonStart.FindAllStringSubmatchIndex(body, -1)
	if len(locs) == 0 {
		return config.Errors{{File: cfg.Path, Msg: body}}
	}
	var out config.Errors
	for i, loc := range locs {
		end := len(body)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		name, uerr := strconv.Unquote(body[loc[2]:loc[3]])
		if uerr != nil {
			name = body[loc[2]:loc[3]]
		}
		out = append(out, config.Error{File: cfg.Path, Line: lines[name], Path: "units." + name, Msg: body[loc[1]:end]})
	}
	return out
}
