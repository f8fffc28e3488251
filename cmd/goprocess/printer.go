package main

import (
	"fmt"
	"io"
	"sync"

	"dappco.re/go/core/process"
)

// palette is the ANSI colours given to units in turn.
var palette = []string{"36", "33", "32", "35", "34", "31", "96", "93", "92", "95", "94", "91"}

// printer writes the units' lines to out, each prefixed with its unit's
// name padded to the longest ("web    | line"), and state changes to
// errOut. With colour, each unit's prefix has a colour of its own.
type printer struct {
	mu     sync.Mutex
	out    io.Writer
	errOut io.Writer
	width  int
	colour map[string]string // unit → ANSI colour; nil: no colour
}

// newPrinter returns a printer for the named units.
func newPrinter(out, errOut io.Writer, names []string, colour bool) *printer {
	p := &printer{out: out, errOut: errOut}
	for _, n := range names {
		p.width = max(p.width, len(n))
	}
	if colour {
		p.colour = map[string]string{}
		for i, n := range names {
			p.colour[n] = palette[i%len(palette)]
		}
	}
	return p
}

// prefix is the padded name of unit, coloured if need be, and sep.
func (p *printer) prefix(unit, sep string) string {
	s := fmt.Sprintf("%-*s %s", p.width, unit, sep)
	if c, ok := p.colour[unit]; ok {
		return "\x1b[" + c + "m" + s + "\x1b[0m"
	}
	return s
}

// line prints one line a unit's process wrote.
func (p *printer) line(unit, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "%s %s\n", p.prefix(unit, "|"), text)
}

// state prints a unit's change of state.
func (p *printer) state(ev process.ActionUnitChanged) {
	msg := string(ev.State)
	if ev.Restarts > 0 && (ev.State == process.UnitBackoff || ev.State == process.UnitStarting) {
		msg += fmt.Sprintf(" (restart %d)", ev.Restarts)
	}
	if ev.Error != "" {
		msg += ": " + ev.Error
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.errOut, "%s %s\n", p.prefix(ev.Name, "→"), msg)
}

// note prints a message of goprocess itself on errOut.
func (p *printer) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.errOut, "goprocess: "+format+"\n", args...)
}
