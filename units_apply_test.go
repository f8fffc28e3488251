package process

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// applyStack is a fresh copy of a three-unit stack: db, web after db, and
// cron on its own.
func applyStack() []UnitSpec {
	return []UnitSpec{
		{Name: "db", Process: sleeper()},
		{Name: "web", Process: sleeper(), After: []Dependency{{Unit: "db"}}},
		{Name: "cron", Process: sleeper()},
	}
}

// pidsOf returns the PID of each named unit.
func pidsOf(t *testing.T, svc *Service, names ...string) map[string]int {
	t.Helper()
	out := make(map[string]int, len(names))
	for _, name := range names {
		info, err := svc.Unit(name)
		require.NoError(t, err)
		require.NotZero(t, info.PID, "unit %q has no process: %+v", name, info)
		out[name] = info.PID
	}
	return out
}

func TestService_Apply_UnchangedUnits_KeepTheirPIDs(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Apply(ctx, applyStack()...))
	before := pidsOf(t, svc, "db", "web", "cron")

	require.NoError(t, svc.Apply(ctx, applyStack()...))

	assert.Equal(t, before, pidsOf(t, svc, "db", "web", "cron"))
	assert.Len(t, rec.starts(), 3, "no process was started again")
	for name, pid := range before {
		assert.True(t, pidAlive(pid), "unit %q's process %d was stopped", name, pid)
	}
}

func TestService_Apply_DefaultsFilledIn_CountAsUnchanged(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Apply(ctx, UnitSpec{Name: "a", Process: sleeper()}))
	before := pidsOf(t, svc, "a")

	spelled := UnitSpec{Name: "a", Process: sleeper(), Restart: RestartNever,
		After: []Dependency{}}
	require.NoError(t, svc.Apply(ctx, spelled))

	assert.Equal(t, before, pidsOf(t, svc, "a"))
}

func TestService_Apply_ChangedUnit_RestartsAlone(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Apply(ctx, applyStack()...))
	before := pidsOf(t, svc, "db", "web", "cron")

	changed := applyStack()
	changed[0].Process.Args = []string{"301"}
	require.NoError(t, svc.Apply(ctx, changed...))

	after := pidsOf(t, svc, "db", "web", "cron")
	assert.NotEqual(t, before["db"], after["db"], "db changed: a new process")
	assert.False(t, pidAlive(before["db"]), "db's old process %d is gone", before["db"])
	assert.Equal(t, before["web"], after["web"], "web depends on db but did not change")
	assert.Equal(t, before["cron"], after["cron"])
	p := unitProcess(t, svc, "db")
	assert.Equal(t, []string{"301"}, p.Args)
	assert.Len(t, rec.starts(), 4)
}

func TestService_Apply_UnnamedUnits_DownInReverseDependencyOrderAndRemoved(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Apply(ctx, applyStack()...))
	before := pidsOf(t, svc, "db", "web", "cron")

	require.NoError(t, svc.Apply(ctx, UnitSpec{Name: "cron", Process: sleeper()}))

	webStopped := rec.index("web", UnitStopped, 0)
	dbStopping := rec.index("db", UnitStopping, 0)
	require.NotEqual(t, -1, webStopped, "events: %s", eventNames(rec.all()))
	require.NotEqual(t, -1, dbStopping, "events: %s", eventNames(rec.all()))
	assert.Less(t, webStopped, dbStopping, "web is stopped before db: %s", eventNames(rec.all()))
	for _, name := range []string{"db", "web"} {
		_, err := svc.Unit(name)
		assert.ErrorIs(t, err, ErrUnitNotFound, "unit %q was removed", name)
		assert.False(t, pidAlive(before[name]), "unit %q's process is gone", name)
	}
	assert.Equal(t, before["cron"], pidsOf(t, svc, "cron")["cron"])
	names := []string{}
	for _, info := range svc.Units() {
		names = append(names, info.Name)
	}
	assert.Equal(t, []string{"cron"}, names)
}

func TestService_Apply_NothingNamed_DownsAndRemovesEveryUnit(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Apply(ctx, applyStack()...))
	before := pidsOf(t, svc, "db", "web", "cron")

	require.NoError(t, svc.Apply(ctx))

	assert.Empty(t, svc.Units())
	for name, pid := range before {
		assert.False(t, pidAlive(pid), "unit %q's process %d is gone", name, pid)
	}
}

func TestService_Apply_NewUnit_StartsAndMayDependOnAKeptOne(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Apply(ctx, applyStack()...))
	before := pidsOf(t, svc, "db")

	grown := append(applyStack(), UnitSpec{Name: "worker", Process: sleeper(), After: []Dependency{{Unit: "db"}}})
	require.NoError(t, svc.Apply(ctx, grown...))

	info, err := svc.Unit("worker")
	require.NoError(t, err)
	assert.Equal(t, UnitReady, info.State)
	assert.Equal(t, before["db"], pidsOf(t, svc, "db")["db"])
}

func TestService_Apply_InvalidSet_RefusedAndNothingChanges(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Apply(ctx, applyStack()...))
	before := pidsOf(t, svc, "db", "web", "cron")

	cases := map[string][]UnitSpec{
		`unit "web": unknown dependency "db"`:  {{Name: "web", Process: sleeper(), After: []Dependency{{Unit: "db"}}}},
		`unit "new": process command is empty`: append(applyStack(), UnitSpec{Name: "new"}),
		`unit "db": duplicate name`:            append(applyStack(), UnitSpec{Name: "db", Process: sleeper()}),
		`dependency cycle`: {
			{Name: "a", Process: sleeper(), After: []Dependency{{Unit: "b"}}},
			{Name: "b", Process: sleeper(), After: []Dependency{{Unit: "a"}}},
		},
	}
	for want, specs := range cases {
		err := svc.Apply(ctx, specs...)
		require.Error(t, err, want)
		assert.Contains(t, err.Error(), "apply refused, nothing changed")
		assert.Contains(t, err.Error(), want)
	}

	assert.Equal(t, before, pidsOf(t, svc, "db", "web", "cron"))
	assert.Len(t, svc.Units(), 3)
	assert.Len(t, rec.starts(), 3)
}

func TestService_Apply_Writers_ComparedByIdentity(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	ctx := context.Background()
	var out bytes.Buffer
	spec := UnitSpec{Name: "a", Process: sleeper()}
	spec.Process.Stdout = &out
	require.NoError(t, svc.Apply(ctx, spec))
	first := pidsOf(t, svc, "a")["a"]

	require.NoError(t, svc.Apply(ctx, spec))
	assert.Equal(t, first, pidsOf(t, svc, "a")["a"], "the same writer: unchanged")

	var other bytes.Buffer
	spec.Process.Stdout = &other
	require.NoError(t, svc.Apply(ctx, spec))
	second := pidsOf(t, svc, "a")["a"]
	assert.NotEqual(t, first, second, "another writer: restarted")

	spec.Process.OnOutput = func(ActionProcessOutput) {}
	require.NoError(t, svc.Apply(ctx, spec))
	assert.NotEqual(t, second, pidsOf(t, svc, "a")["a"], "an OnOutput hook cannot be compared: restarted")
}

func TestService_Apply_ContextEnds_UnitsKeepStarting(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	err := svc.Apply(ctx, UnitSpec{Name: "a", Process: sleeper()})

	require.ErrorIs(t, err, context.Canceled)
	awaitUnit(t, svc, "a", UnitReady, 10*time.Second)
}

func TestService_Apply_UnchangedStoppedUnit_StaysStopped(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Apply(ctx, applyStack()...))
	require.NoError(t, svc.Down(ctx, "cron"))

	require.NoError(t, svc.Apply(ctx, applyStack()...))

	info, err := svc.Unit("cron")
	require.NoError(t, err)
	assert.Equal(t, UnitStopped, info.State)
	assert.Len(t, rec.starts(), 3)
}

func TestService_Apply_ContextEndsWhileStopping_StillRemovesSoTheNextApplyStartsAgain(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	// It ignores SIGTERM (ready once it does): its stop lasts the grace
	// period (1s), then SIGKILL.
	stubborn := UnitSpec{Name: "stubborn", Process: shell(`trap "" TERM; echo armed; while :; do sleep 0.05; done`),
		Ready: &Probe{Output: "^armed$"}}
	require.NoError(t, svc.Apply(context.Background(), stubborn))
	first := pidsOf(t, svc, "stubborn")["stubborn"]

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	require.NoError(t, svc.Apply(ctx))
	_, err := svc.Unit("stubborn")
	require.ErrorIs(t, err, ErrUnitNotFound, "the unit was removed although ctx ended while it stopped")
	assert.False(t, pidAlive(first))

	require.NoError(t, svc.Apply(context.Background(), stubborn))
	info := awaitUnit(t, svc, "stubborn", UnitReady, 10*time.Second)
	assert.NotEqual(t, first, info.PID)
}
