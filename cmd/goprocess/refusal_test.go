package main

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
	"dappco.re/go/core/process/internal/config"
)

func TestRefusalErrors_MapsEachReasonToItsUnitsLine(t *testing.T) {
	cfg := &config.File{Path: "p.yaml", Units: []config.Unit{{Spec: process.UnitSpec{Name: "a"}, Line: 2}, {Spec: process.UnitSpec{Name: "b"}, Line: 7}}}
	err := errors.New(`process: up refused, nothing started: unit "a": dependency cycle "a" → "b" → "a"; unit "b": dependency "a" can never succeed: its restart policy is "always"`)
	require.True(t, refused(err))
	got := refusalErrors(cfg, err)
	assert.Equal(t, config.Errors{
		{File: "p.yaml", Line: 2, Path: "units.a", Msg: `dependency cycle "a" → "b" → "a"`},
		{File: "p.yaml", Line: 7, Path: "units.b", Msg: `dependency "a" can never succeed: its restart policy is "always"`},
	}, got)
	assert.False(t, refused(errors.New(`process: unit "a" failed`)))
}
