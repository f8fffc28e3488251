package process

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Up refuses an invalid call as a whole, before starting anything, naming
// the units and what is wrong.
func TestUnitUp_Refuses_NamingTheUnitsAndStartingNothing(t *testing.T) {
	ok := func(name string, after ...Dependency) UnitSpec {
		return UnitSpec{Name: name, Process: sleeper(), After: after}
	}
	with := func(spec UnitSpec, change func(*UnitSpec)) UnitSpec {
		change(&spec)
		return spec
	}
	cases := []struct {
		name  string
		specs []UnitSpec
		want  []string
	}{
		{"cycle", []UnitSpec{ok("a", Dependency{Unit: "c"}), ok("b", Dependency{Unit: "a"}), ok("c", Dependency{Unit: "b"})},
			[]string{`dependency cycle "a" → "c" → "b" → "a"`}},
		{"self dependency", []UnitSpec{ok("a", Dependency{Unit: "a"})}, []string{`unit "a": dependency cycle "a" → "a"`}},
		{"unknown dependency", []UnitSpec{ok("web", Dependency{Unit: "db"})}, []string{`unit "web": unknown dependency "db"`}},
		{"duplicate", []UnitSpec{ok("a"), ok("b"), ok("a")}, []string{`unit "a": duplicate name: also unit #1`}},
		{"probe with no kind", []UnitSpec{with(ok("a"), func(s *UnitSpec) { s.Ready = &Probe{Period: 1} })},
			[]string{`unit "a": ready probe: no kind set`}},
		{"probe with two kinds", []UnitSpec{with(ok("a"), func(s *UnitSpec) { s.Alive = &Probe{TCP: "127.0.0.1:1", HTTP: "http://127.0.0.1:1"} })},
			[]string{`unit "a": alive probe: 2 kinds set (http, tcp)`}},
		{"output as alive", []UnitSpec{with(ok("a"), func(s *UnitSpec) { s.Alive = &Probe{Output: "up"} })},
			[]string{`unit "a": alive probe: output: an Output probe is for readiness only`}},
		{"empty name", []UnitSpec{ok("a"), ok("")}, []string{`unit #2: name is empty`}},
		{"bad name", []UnitSpec{ok("a/b")}, []string{`unit "a/b": name "a/b" contains a slash`}},
		{"empty command", []UnitSpec{{Name: "a"}}, []string{`unit "a": process command is empty`}},
		{"bad regexp", []UnitSpec{with(ok("a"), func(s *UnitSpec) { s.Ready = &Probe{Output: "(unclosed"} })},
			[]string{`unit "a": ready probe: output: error parsing regexp`}},
		{"unknown condition", []UnitSpec{ok("db"), ok("web", Dependency{Unit: "db", Condition: "healthy"})},
			[]string{`unit "web": dependency "db": unknown condition "healthy"`}},
		{"unknown restart policy", []UnitSpec{with(ok("a"), func(s *UnitSpec) { s.Restart = "sometimes" })},
			[]string{`unit "a": unknown restart policy "sometimes"`}},
		{"succeeded of an always unit", []UnitSpec{with(ok("db"), func(s *UnitSpec) { s.Restart = RestartAlways }),
			ok("web", Dependency{Unit: "db", Condition: ConditionSucceeded})},
			[]string{`unit "web": dependency "db" can never succeed`}},
		{"bad http url", []UnitSpec{with(ok("a"), func(s *UnitSpec) { s.Ready = &Probe{HTTP: "localhost:80"} })},
			[]string{`unit "a": ready probe: http:`}},
		{"bad tcp address", []UnitSpec{with(ok("a"), func(s *UnitSpec) { s.Ready = &Probe{TCP: "localhost"} })},
			[]string{`unit "a": ready probe: tcp: "localhost" is not host:port`}},
		{"bad backoff", []UnitSpec{with(ok("a"), func(s *UnitSpec) { s.Backoff = Backoff{Factor: 0.5} })},
			[]string{`unit "a": backoff: factor 0.5 is below 1`}},
		{"max below initial", []UnitSpec{with(ok("a"), func(s *UnitSpec) { s.Backoff = Backoff{Initial: 2, Max: 1} })},
			[]string{`unit "a": backoff: max 1ns is below initial 2ns`}},
		{"negative max restarts", []UnitSpec{with(ok("a"), func(s *UnitSpec) { s.MaxRestarts = -1 })},
			[]string{`unit "a": negative MaxRestarts -1`}},
		{"several problems", []UnitSpec{{Name: "x"}, ok("y", Dependency{Unit: "z"})},
			[]string{`unit "x": process command is empty`, `unit "y": unknown dependency "z"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, svc, rec := newUnitService(t, nil)
			err := svc.Up(context.Background(), tc.specs...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "up refused, nothing started")
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.Empty(t, svc.Units())
			assert.Empty(t, svc.List())
			assert.Empty(t, rec.all())
		})
	}
}

// A name taken by a unit that runs is refused; a stopped one is replaced.
func TestUnitUp_NameOfARunningUnit_RefusedAndOfAStoppedUnit_Replaced(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Up(ctx, UnitSpec{Name: "a", Process: sleeper()}, UnitSpec{Name: "b", Process: sleeper()}))
	err := svc.Up(ctx, UnitSpec{Name: "a", Process: sleeper()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unit "a": already up (ready)`)

	require.NoError(t, svc.Down(ctx, "a"))
	require.NoError(t, svc.Up(ctx, UnitSpec{Name: "a", Process: shell("exec sleep 300")}))
	units := svc.Units()
	require.Len(t, units, 2)
	assert.Equal(t, "a", units[0].Name, "keeps its place")
	assert.Equal(t, UnitReady, units[0].State)
	p := unitProcess(t, svc, "a")
	assert.Equal(t, "sh", p.Command)
}
