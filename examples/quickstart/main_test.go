package main

import "testing"

// The quickstart is the first thing a newcomer runs: the test run makes
// sure it still completes its tour.
func TestQuickstart_RunsTheWholeTour(t *testing.T) {
	if err := run(); err != nil {
		t.Fatal(err)
	}
}
