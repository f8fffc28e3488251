package main

import (
	"bytes"
	"strings"
	"testing"
)

// The example must keep running its whole tour: up, crash and restart,
// down.
func TestUnits_RunsTheWholeTour(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"db      → ready", "migrate → succeeded", "web     → backoff", "web is back", "db      → stopped"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the tour did not show %q:\n%s", want, out.String())
		}
	}
}
