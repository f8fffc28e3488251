package config

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoad_EncodingErrors_NameTheLineAndColumn(t *testing.T) {
	const head = "units:\n  web:\n"
	for name, tc := range map[string]struct{ yaml, want string }{
		"invalid trailing octet": {head + "    command: caf\xc3\x28\n", "process.yaml:3: invalid YAML: column 17: byte 0xC3 is not valid UTF-8 (save the file as UTF-8)"},
		"latin-1 byte":           {head + "    command: sleep\n    args: [\"\xe9t\xe9\"]\n", "process.yaml:4: invalid YAML: column 13: byte 0xE9 is not valid UTF-8"},
		"truncated at the end":   {head + "    command: x\xe2\x82", "process.yaml:3: invalid YAML: column 15: byte 0xE2 is not valid UTF-8"},
		"NUL byte":               {head + "    command: sleep\n\n    args: [\"1\x00\"]\n", "process.yaml:5: invalid YAML: column 14: a NUL byte (U+0000) is not allowed in YAML"},
		"control character":      {"units:\x07\n", "process.yaml:1: invalid YAML: column 7: the control character U+0007 is not allowed in YAML"},
		"C1 control":             {head + "    command: \u0090x\n", "process.yaml:3: invalid YAML: column 14: the control character U+0090 is not allowed in YAML"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "process.yaml", tc.yaml)
			_, err := Load(filepath.Join(dir, "process.yaml"))
			require.Error(t, err)
			var ces Errors
			require.ErrorAs(t, err, &ces)
			require.Len(t, ces, 1)
			ces[0].File = filepath.Base(ces[0].File)
			assert.Contains(t, ces[0].Error(), tc.want)
		})
	}
}

func TestLoad_PrintableUnicodeAndABOM_Accepted(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "process.yaml", "\ufeffunits:\r\n  web:\r\n    command: \"café ☕ 🚀\"\r\n")
	cfg, err := Load(file)
	require.NoError(t, err)
	assert.Equal(t, "café ☕ 🚀", cfg.Units[0].Spec.Process.Command)
}
