package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// zones decodes an extra "zone" key into got, refusing "mars".
func zones(got map[string]string) Option {
	return UnitKey("zone", func(unit, path string, v *yaml.Node, fail Fail) {
		if v.Value == "mars" {
			fail(v, path, "no zone %q", v.Value)
			return
		}
		got[unit] = v.Value
	})
}

func TestParse_UnitKey_HandsEachValueToTheCallerWithItsLine(t *testing.T) {
	got := map[string]string{}
	f, err := Parse("p.yaml", "/base", []byte("units:\n  a:\n    command: x\n    zone: eu\n  b:\n    command: y\n"), zones(got))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "eu"}, got)
	assert.Equal(t, "x", f.Units[0].Spec.Process.Command)

	_, err = Parse("p.yaml", "/base", []byte("units:\n  a:\n    command: x\n    zone: mars\n    zome: eu\n"), zones(got))
	assert.EqualError(t, err, "p.yaml:4: units.a.zone: no zone \"mars\"\n"+
		"p.yaml:5: units.a.zome: unknown key \"zome\" (did you mean \"zone\"?)")
}

func TestParse_WithoutUnitKey_TheExtraKeyIsRefused(t *testing.T) {
	_, err := Parse("p.yaml", "/base", []byte("units:\n  a:\n    command: x\n    zone: eu\n"))
	assert.EqualError(t, err, "p.yaml:4: units.a.zone: unknown key \"zone\" (did you mean \"env\"?)")
}

func TestParse_Remote_KeepsDirAsWrittenAndRefusesLocalKeys(t *testing.T) {
	f, err := Parse("p.yaml", "/base", []byte("units:\n  a:\n    command: x\n    dir: ./www\n  b:\n    command: y\n"), Remote())
	require.NoError(t, err)
	assert.Equal(t, "./www", f.Units[0].Spec.Process.Dir, "a relative dir is for the machine that runs it")
	assert.Empty(t, f.Units[1].Spec.Process.Dir, "no default dir")

	_, err = Parse("p.yaml", "/base", []byte("env_file: .env\nunits:\n  a:\n    command: x\n    pty: true\n    rows: 2\n    cols: 3\n"), Remote())
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 4, "%v", err)
	for i, key := range []string{"env_file", "units.a.pty", "units.a.rows", "units.a.cols"} {
		assert.Contains(t, lines[i], fmt.Sprintf("p.yaml:%d: %s: unknown key", []int{1, 5, 6, 7}[i], key))
	}
}

func TestParse_UnitNames_AddsTheCallersCheckAtTheNamesLine(t *testing.T) {
	noDots := UnitNames(func(name string) error {
		if strings.Contains(name, ".") {
			return errors.New("no dots")
		}
		return nil
	})
	_, err := Parse("p.yaml", "/base", []byte("units:\n  ok:\n    command: x\n  a.b:\n    command: y\n"), noDots)
	assert.EqualError(t, err, "p.yaml:4: units.a.b: no dots")
}

func TestParse_CheckUnits_RunsOverTheUnitsEvenWhenOtherProblemsWereFound(t *testing.T) {
	var seen []string
	check := CheckUnits(func(units []Unit, fail Fail) {
		for _, u := range units {
			seen = append(seen, fmt.Sprintf("%s@%d", u.Spec.Name, u.Line))
		}
		fail(&yaml.Node{Line: units[0].Line}, "units."+units[0].Spec.Name, "whole-file problem")
	})
	_, err := Parse("p.yaml", "/base", []byte("units:\n  a:\n    command: x\n    restart: sometimes\n  b:\n    command: y\n"), check)
	assert.Equal(t, []string{"a@2", "b@5"}, seen)
	assert.EqualError(t, err, "p.yaml:4: units.a.restart: unknown policy \"sometimes\" (want never, on-failure or always)\n"+
		"p.yaml:2: units.a: whole-file problem")
}

func TestParse_UnitKey_DoesNotReplaceAKeyOfProcessYAML(t *testing.T) {
	called := false
	f, err := Parse("p.yaml", "/base", []byte("units:\n  a:\n    command: x\n"),
		UnitKey("command", func(string, string, *yaml.Node, Fail) { called = true }))
	require.NoError(t, err)
	assert.False(t, called)
	assert.Equal(t, "x", f.Units[0].Spec.Process.Command)
}
