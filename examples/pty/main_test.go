package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The example must keep showing a visible difference between pipes and a
// terminal, and a resize the child sees.
func TestPTYExample_ShowsTerminalDifferenceAndResize(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out strings.Builder
	require.NoError(t, run(ctx, &out), "output so far:\n%s", out.String())

	report := out.String()
	for _, want := range []string{
		"stdout is a pipe: plain output",
		"window size: none (stdin is not a terminal)",
		"stdout is a terminal: \x1b[1;32mcolours on\x1b[0m",
		"window size: 30 100 (rows cols)",
		"pty | ready: 24 80",
		"pty | resized: 40 120",
		"pty | resized: 50 132",
		"status killed",
	} {
		assert.Contains(t, report, want)
	}
}
