package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process/cluster"
	"dappco.re/go/core/process/internal/config"
)

func TestParseConfig_GoodFile_GivesPlacementsInFileOrder(t *testing.T) {
	units, lines, err := parseConfig("cluster.yaml", []byte(`
units:
  db:
    command: postgres
    args: [-D, /data]
    env: {PGPORT: "5432", A: b}
    restart: always
    grace_period: 5s
    nodes: [n1]
  web:
    command: ./web
    after: [db, {unit: db, condition: started}]
    labels: {zone: eu}
    replicas: 2
    ready: {http: "http://127.0.0.1:8080/", period: 250ms}
`))
	require.NoError(t, err)
	require.Len(t, units, 2)
	assert.Equal(t, map[string]int{"db": 3, "web": 10}, lines)
	db, web := units[0], units[1]
	assert.Equal(t, "db", db.Spec.Name)
	assert.Equal(t, []string{"-D", "/data"}, db.Spec.Args)
	assert.Equal(t, []string{"A=b", "PGPORT=5432"}, db.Spec.Env, "env sorted by name: the same file gives the same spec")
	assert.Equal(t, "always", db.Spec.Restart)
	assert.Equal(t, cluster.Duration(5e9), db.Spec.GracePeriod)
	assert.Equal(t, []string{"n1"}, db.Nodes)
	assert.Equal(t, 2, web.Replicas)
	assert.Equal(t, map[string]string{"zone": "eu"}, web.Labels)
	assert.Equal(t, []cluster.Dependency{{Unit: "db"}, {Unit: "db", Condition: "started"}}, web.Spec.After)
	require.NotNil(t, web.Spec.Ready)
	assert.Equal(t, "http://127.0.0.1:8080/", web.Spec.Ready.HTTP)
}

func TestParseConfig_BadFile_EveryProblemWithFileAndLine(t *testing.T) {
	_, _, err := parseConfig("c.yaml", []byte(`units:
  web:
    comand: x
    replicas: -1
    nodes: ["bad node"]
  api:
    command: ./api
    after: [nope, api]
    grace_period: soon
    restart: sometimes
  a.b:
    command: x
  c1:
    command: x
    after: [c2]
  c2:
    command: x
    after: [c1]
`))
	require.Error(t, err)
	want := []string{
		`c.yaml:3: units.web.comand: unknown key`,
		`c.yaml:4: units.web.replicas: must not be negative, got -1`,
		`c.yaml:5: units.web.nodes[0]: node name "bad node"`,
		`c.yaml:3: units.web: command is missing`,
		`c.yaml:9: units.api.grace_period: invalid duration "soon"`,
		`c.yaml:10: units.api.restart: unknown policy "sometimes"`,
		`c.yaml:11: units.a.b: unit name "a.b"`,
		`c.yaml:8: units.api.after[0]: unknown unit "nope"`,
		`c.yaml:8: units.api.after[1]: unit "api" cannot depend on itself`,
		`c.yaml:13: units.c1: dependency cycle c1 → c2 → c1`,
	}
	for _, w := range want {
		assert.Contains(t, err.Error(), w)
	}
	assert.Len(t, strings.Split(err.Error(), "\n"), len(want), "one line per problem:\n%v", err)
}

func TestParseConfig_SyntaxError_NamesTheLine(t *testing.T) {
	_, _, err := parseConfig("c.yaml", []byte("units:\n  web:\n    command: [x\n"))
	require.Error(t, err)
	assert.Regexp(t, `^c\.yaml:\d+: `, err.Error())
}

func TestParseConfig_SharedLoader_ChecksEncodingAndProbesAsGoprocessUpDoes(t *testing.T) {
	_, _, err := parseConfig("c.yaml", []byte("units:\n  web:\n    command: a\x00b\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "c.yaml:3: invalid YAML: column 15: a NUL byte (U+0000) is not allowed in YAML")

	_, _, err = parseConfig("c.yaml", []byte("units:\n  web:\n    command: x\n    ready: {http: \"ftp://x/\"}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `c.yaml:4: units.web.ready.http: want an http:// or https:// URL, got "ftp://x/"`)
}

func TestParseConfig_RemoteUnits_DirKeptAsWrittenAndLocalKeysRefused(t *testing.T) {
	units, _, err := parseConfig("c.yaml", []byte("units:\n  web:\n    command: x\n    dir: ./www\n  api:\n    command: y\n"))
	require.NoError(t, err)
	assert.Equal(t, "./www", units[0].Spec.Dir, "relative to the agent's working directory, on its machine")
	assert.Empty(t, units[1].Spec.Dir)

	_, _, err = parseConfig("c.yaml", []byte("env_file: .env\nunits:\n  web:\n    command: x\n    pty: true\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `c.yaml:1: env_file: unknown key "env_file"`)
	assert.Contains(t, err.Error(), `c.yaml:5: units.web.pty: unknown key "pty"`)
}

func TestSpecOf_UnitSpecGivesTheLoadedUnitBack(t *testing.T) {
	f, err := config.Parse("c.yaml", "", []byte(`units:
  db:
    command: postgres
    args: [-D, /data]
    dir: /srv
    env: {A: b, PGPORT: "5432"}
    restart: on-failure
    max_restarts: 3
    backoff: {initial: 1s, max: 10s, factor: 2, jitter: 0.5, reset_after: 1m}
    grace_period: 5s
    timeout: 1h
    ready: {tcp: "127.0.0.1:5432", initial_delay: 1s, period: 2s, timeout: 3s, failures: 4}
    alive: {exec: [pg_isready]}
  web:
    command: ./web
    after: [db, {unit: db, condition: ready}]
`), config.Remote())
	require.NoError(t, err)
	for _, u := range f.Units {
		assert.Equal(t, u.Spec, specOf(u.Spec).UnitSpec(), u.Spec.Name)
	}
}
