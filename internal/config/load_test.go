package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process"
)

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

const goodYAML = `env_file: .env
units:
  migrate:
    command: sh
    args: ["-c", "echo migrated"]
  web:
    command: python3
    args: ["-m", "http.server", "8080"]
    dir: ./public
    env: {PORT: "8080", DEBUG: 1}
    restart: on-failure
    max_restarts: 5
    backoff: {initial: 500ms, max: 30s, factor: 2, jitter: 0.1, reset_after: 10s}
    grace_period: 5s
    timeout: 0s
    pty: false
    ready: {http: "http://127.0.0.1:8080/", initial_delay: 0s, period: 1s, timeout: 1s, failures: 3}
    alive: {tcp: "127.0.0.1:8080"}
    after: [{unit: migrate, condition: succeeded}]
  worker:
    command: ./worker
    env: ["QUEUE=jobs", "SHARED=from-unit"]
    restart: always
    ready: {exec: ["true"]}
    after: [web]
  tty:
    command: top
    pty: true
    rows: 40
    cols: 120
    ready: {output: "^Tasks:"}
    timeout: 1m
`

func TestLoad_GoodFile_GivesTheExactSpecs(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "process.yaml", goodYAML)
	writeFile(t, dir, ".env", "# shared\nSHARED=from-file\nexport TOKEN='a b'\n\nPORT=1\n")

	cfg, err := Load(file)
	require.NoError(t, err)

	want := []process.UnitSpec{
		{
			Name:    "migrate",
			Process: process.RunOptions{Command: "sh", Args: []string{"-c", "echo migrated"}, Dir: dir, Env: []string{"SHARED=from-file", "TOKEN=a b", "PORT=1"}},
		},
		{
			Name: "web",
			Process: process.RunOptions{
				Command: "python3", Args: []string{"-m", "http.server", "8080"},
				Dir:         filepath.Join(dir, "public"),
				Env:         []string{"SHARED=from-file", "TOKEN=a b", "PORT=8080", "DEBUG=1"},
				GracePeriod: 5 * time.Second,
			},
			Restart:     process.RestartOnFailure,
			MaxRestarts: 5,
			Backoff:     process.Backoff{Initial: 500 * time.Millisecond, Max: 30 * time.Second, Factor: 2, Jitter: 0.1, ResetAfter: 10 * time.Second},
			Ready:       &process.Probe{HTTP: "http://127.0.0.1:8080/", Period: time.Second, Timeout: time.Second, Failures: 3},
			Alive:       &process.Probe{TCP: "127.0.0.1:8080"},
			After:       []process.Dependency{{Unit: "migrate", Condition: process.ConditionSucceeded}},
		},
		{
			Name:    "worker",
			Process: process.RunOptions{Command: "./worker", Dir: dir, Env: []string{"SHARED=from-unit", "TOKEN=a b", "PORT=1", "QUEUE=jobs"}},
			Restart: process.RestartAlways,
			Ready:   &process.Probe{Exec: []string{"true"}},
			After:   []process.Dependency{{Unit: "web"}},
		},
		{
			Name:    "tty",
			Process: process.RunOptions{Command: "top", Dir: dir, Env: []string{"SHARED=from-file", "TOKEN=a b", "PORT=1"}, PTY: true, Rows: 40, Cols: 120, Timeout: time.Minute},
			Ready:   &process.Probe{Output: "^Tasks:"},
		},
	}
	assert.Equal(t, want, cfg.Specs())
	lines := []int{}
	for _, u := range cfg.Units {
		lines = append(lines, u.Line)
	}
	assert.Equal(t, []int{3, 6, 20, 26}, lines, "each unit remembers the line of its name")
}

func TestLoad_EnvFileFlag_ReplacesTheFilesEnvFile(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "process.yaml", "env_file: missing.env\nunits:\n  a:\n    command: true\n    env: {B: unit}\n")
	override := writeFile(t, dir, "other.env", "A=1\nB=file\n")

	cfg, err := Load(file, EnvFile(override))
	require.NoError(t, err, "the file's env_file is not read when --env-file is given")
	assert.Equal(t, []string{"A=1", "B=unit"}, cfg.Specs()[0].Process.Env, "the unit's env wins over the env file")

	_, err = Load(file, EnvFile(filepath.Join(dir, "nope.env")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nope.env")
}

func TestLoad_MissingEnvFile_NamesTheLine(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "process.yaml", "units:\n  a: {command: \"true\"}\nenv_file: missing.env\n")
	_, err := Load(file)
	require.Error(t, err)
	assert.Regexp(t, `process\.yaml:3: env_file: env file: open .*missing\.env: no such file`, err.Error())
}

func TestParseEnv(t *testing.T) {
	got, err := parseEnv("x.env", []byte("A=1\n  # comment\nexport B = two \nC=\"line\\nbreak\"\nD='$HOME'\nE=\nF=a=b\r\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"A=1", "B=two", "C=line\nbreak", "D=$HOME", "E=", "F=a=b"}, got)

	for content, want := range map[string]string{
		"A=1\nnot a pair\n":  "x.env:2: want NAME=value",
		"=value\n":           "x.env:1: want NAME=value",
		"A=1\nB=\"open\n":    "x.env:2: B: bad double-quoted value",
		"A B=1\n":            "x.env:1: want NAME=value",
		"\n\nexport =x\n":    "x.env:3: want NAME=value",
		"OK=1\n\n\nX Y Z\n":  "x.env:4:",
		"A=\"unterminated\n": "x.env:1: A:",
	} {
		_, err := parseEnv("x.env", []byte(content))
		if assert.Error(t, err, content) {
			assert.Contains(t, err.Error(), want, content)
		}
	}
}

func TestMergeEnv_LaterWins_OrderKept(t *testing.T) {
	assert.Equal(t, []string{"A=3", "B=2", "C=4"}, mergeEnv([]string{"A=1", "B=2"}, []string{"A=3", "C=4"}))
	assert.Nil(t, mergeEnv(nil, nil))
}

func TestLoad_Errors_NameFileLineAndKey(t *testing.T) {
	unit := func(body string) string { return "units:\n  web:\n    command: web\n" + body }
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown restart policy", unit("    restart: sometimes\n"),
			`process.yaml:4: units.web.restart: unknown policy "sometimes" (want never, on-failure or always)`},
		{"unknown unit key", unit("    comand: x\n"),
			`process.yaml:4: units.web.comand: unknown key "comand" (did you mean "command"?)`},
		{"unknown top key", "unit:\n  web: {command: x}\n",
			`process.yaml:1: unit: unknown key "unit" (did you mean "units"?)`},
		{"unknown backoff key", unit("    backoff: {inital: 1s}\n"),
			`process.yaml:4: units.web.backoff.inital: unknown key "inital" (did you mean "initial"?)`},
		{"unknown probe key", unit("    ready:\n      htp: http://x/\n"),
			`process.yaml:5: units.web.ready.htp: unknown key "htp" (did you mean "http"?)`},
		{"bare number duration", unit("    grace_period: 5\n"),
			`process.yaml:4: units.web.grace_period: bare number 5: write "5s" for seconds or "5ms" for milliseconds`},
		{"bad duration", unit("    timeout: soon\n"),
			`process.yaml:4: units.web.timeout: invalid duration "soon"`},
		{"negative duration", unit("    backoff:\n      max: -1s\n"),
			`process.yaml:5: units.web.backoff.max: negative duration "-1s"`},
		{"max below initial", unit("    backoff:\n      initial: 2s\n      max: 1s\n"),
			`process.yaml:5: units.web.backoff: max 1s is below initial 2s`},
		{"factor below one", unit("    backoff: {factor: 0.5}\n"),
			`process.yaml:4: units.web.backoff.factor: factor 0.5 is below 1`},
		{"args not a list", unit("    args: -v\n"),
			`process.yaml:4: units.web.args: want a list of strings, got the string "-v"`},
		{"args item not a string", unit("    args: [a, [b]]\n"),
			`process.yaml:4: units.web.args[1]: want a string, got a list`},
		{"env bad entry", unit("    env: [\"A=1\", \"B\"]\n"),
			`process.yaml:4: units.web.env[1]: want NAME=value, got "B"`},
		{"env not a mapping", unit("    env: A=1\n"),
			`process.yaml:4: units.web.env: want a mapping of names to values or a list of NAME=value`},
		{"max_restarts negative", unit("    max_restarts: -1\n"),
			`process.yaml:4: units.web.max_restarts: want a whole number`},
		{"pty not bool", unit("    pty: yes please\n"),
			`process.yaml:4: units.web.pty: want true or false, got the string "yes please"`},
		{"missing command", "units:\n  web:\n    args: [x]\n",
			`process.yaml:3: units.web: command is missing`},
		{"empty command", "units:\n  web:\n    command: \"\"\n",
			`process.yaml:3: units.web.command: is empty`},
		{"unit not a mapping", "units:\n  web: run-it\n",
			`process.yaml:2: units.web: want a mapping, got the string "run-it"`},
		{"no units", "env_file: x\n",
			`process.yaml:1: units: missing`},
		{"empty units", "units: {}\n",
			`process.yaml:1: units: no units`},
		{"bad unit name", "units:\n  my web:\n    command: x\n",
			`process.yaml:2: units.my web: unit name "my web" contains`},
		{"duplicate unit", "units:\n  web: {command: a}\n  web: {command: b}\n",
			`process.yaml:3: units.web: given twice`},
		{"probe without kind", unit("    ready: {period: 1s}\n"),
			`process.yaml:4: units.web.ready: no check: want exactly one of exec, http, tcp or output`},
		{"probe with two kinds", unit("    ready:\n      tcp: \"localhost:1\"\n      http: http://localhost:1/\n"),
			`process.yaml:5: units.web.ready: want exactly one of exec, http, tcp or output, got 2`},
		{"alive output probe", unit("    alive: {output: x}\n"),
			`process.yaml:4: units.web.alive.output: an output probe is for readiness only`},
		{"bad regexp", unit("    ready:\n      output: \"a(\"\n"),
			`process.yaml:5: units.web.ready.output: invalid regular expression`},
		{"bad url", unit("    ready:\n      http: localhost:8080\n"),
			`process.yaml:5: units.web.ready.http: want an http:// or https:// URL, got "localhost:8080"`},
		{"bad tcp", unit("    alive: {tcp: localhost}\n"),
			`process.yaml:4: units.web.alive.tcp: want host:port, got "localhost"`},
		{"empty exec", unit("    ready: {exec: []}\n"),
			`process.yaml:4: units.web.ready.exec: want a command and its arguments, got an empty list`},
		{"unknown dependency", unit("    after: [db]\n  dba: {command: x}\n"),
			`process.yaml:4: units.web.after[0]: unknown unit "db" (did you mean "dba"?)`},
		{"self dependency", unit("    after:\n      - web\n"),
			`process.yaml:5: units.web.after[0]: unit "web" cannot depend on itself`},
		{"unknown condition", unit("    after: [{unit: db, condition: done}]\n  db: {command: x}\n"),
			`process.yaml:4: units.web.after[0].condition: unknown condition "done" (want started, ready or succeeded)`},
		{"dependency without unit", unit("    after: [{condition: ready}]\n"),
			`process.yaml:4: units.web.after[0]: unit is missing`},
		{"yaml syntax", "units:\n  web:\n    command: [x\n",
			`process.yaml:2: invalid YAML: did not find expected`},
		{"tab indentation", "units:\n\tweb: {}\n",
			`process.yaml:2: invalid YAML:`},
		{"empty file", "",
			`process.yaml: the file is empty`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "process.yaml", tc.yaml)
			_, err := Load(filepath.Join(dir, "process.yaml"))
			require.Error(t, err)
			var ces Errors
			require.True(t, errors.As(err, &ces), "a Errors, got %T", err)
			// Messages name the file as given; strip the directory.
			msg := ""
			for _, ce := range ces {
				ce.File = filepath.Base(ce.File)
				msg += ce.Error() + "\n"
			}
			assert.Contains(t, msg, tc.want)
		})
	}
}

func TestLoad_ReportsEveryError(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", "units:\n  a:\n    command: x\n    restart: maybe\n  b:\n    comand: y\n")
	_, err := Load(file)
	var ces Errors
	require.ErrorAs(t, err, &ces)
	require.Len(t, ces, 3)
	assert.Equal(t, []int{4, 6, 6}, []int{ces[0].Line, ces[1].Line, ces[2].Line})
	assert.Equal(t, []string{"units.a.restart", "units.b.comand", "units.b"}, []string{ces[0].Path, ces[1].Path, ces[2].Path})
}

func TestLoad_UnreadableFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "none.yaml: cannot read: no such file or directory")
}
