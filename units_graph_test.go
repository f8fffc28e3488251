package process

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// before asserts that unit a entered state sa before unit b entered sb.
func before(t *testing.T, rec *unitRecorder, a string, sa UnitState, b string, sb UnitState) {
	t.Helper()
	i, j := rec.index(a, sa, 0), rec.index(b, sb, 0)
	require.GreaterOrEqual(t, i, 0, "%s never %s: %s", a, sa, eventNames(rec.all()))
	require.GreaterOrEqual(t, j, 0, "%s never %s: %s", b, sb, eventNames(rec.all()))
	assert.Less(t, i, j, "%s %s should come before %s %s: %s", a, sa, b, sb, eventNames(rec.all()))
}

// Five units with every kind of probe and condition, one of them a
// one-shot: Up returns once all are ready or succeeded, each started only
// after its dependencies held; Down stops them in reverse order.
func TestUnitUp_FiveUnitGraph_StartsInDependencyOrderAndDownsInReverse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()

	_, svc, rec := newUnitService(t, nil)
	specs := []UnitSpec{
		{
			Name:    "web",
			Process: sleeper(),
			Ready:   fastProbe(Probe{HTTP: srv.URL}),
			After: []Dependency{
				{Unit: "migrate", Condition: ConditionSucceeded},
				{Unit: "cache"},
			},
		},
		{Name: "db", Process: sleeper(), Ready: fastProbe(Probe{TCP: ln.Addr().String()})},
		{
			Name:    "migrate",
			Process: shell("echo migrating; sleep 0.05; echo done"),
			After:   []Dependency{{Unit: "db", Condition: ConditionReady}},
		},
		{Name: "cache", Process: shell("echo cache up; exec sleep 300"), Ready: &Probe{Output: "^cache up$"}},
		{
			Name:    "worker",
			Process: sleeper(),
			Ready:   fastProbe(Probe{Exec: []string{"true"}}),
			After:   []Dependency{{Unit: "web", Condition: ConditionStarted}, {Unit: "db"}},
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, svc.Up(ctx, specs...))

	states := map[string]UnitState{}
	for _, info := range svc.Units() {
		states[info.Name] = info.State
	}
	assert.Equal(t, map[string]UnitState{
		"web": UnitReady, "db": UnitReady, "migrate": UnitSucceeded, "cache": UnitReady, "worker": UnitReady,
	}, states)
	names := []string{}
	for _, info := range svc.Units() {
		names = append(names, info.Name)
	}
	assert.Equal(t, []string{"web", "db", "migrate", "cache", "worker"}, names, "in the order added")

	before(t, rec, "db", UnitReady, "migrate", UnitStarting)
	before(t, rec, "migrate", UnitSucceeded, "web", UnitStarting)
	before(t, rec, "cache", UnitReady, "web", UnitStarting)
	before(t, rec, "web", UnitStarting, "worker", UnitStarting)
	before(t, rec, "db", UnitReady, "worker", UnitStarting)
	assert.Equal(t, []UnitState{UnitWaiting, UnitStarting, UnitReady, UnitSucceeded}, rec.states("migrate"))

	mark := len(rec.all())
	require.NoError(t, svc.Down(ctx))
	for _, info := range svc.Units() {
		if info.Name == "migrate" {
			assert.Equal(t, UnitSucceeded, info.State, "a one-shot that succeeded stays so")
			continue
		}
		assert.Equal(t, UnitStopped, info.State, info.Name)
		p, err := svc.Get(info.ProcessID)
		require.NoError(t, err)
		assert.False(t, p.IsRunning(), info.Name)
	}
	stoppedAt := func(name string) int { return rec.index(name, UnitStopped, mark) }
	stoppingAt := func(name string) int { return rec.index(name, UnitStopping, mark) }
	events := eventNames(rec.all()[mark:])
	assert.Less(t, stoppedAt("worker"), stoppingAt("web"), events)
	assert.Less(t, stoppedAt("worker"), stoppingAt("db"), events)
	assert.Less(t, stoppedAt("web"), stoppingAt("cache"), events)
	assert.Less(t, stoppedAt("web"), stoppingAt("db"), events)
}

// Down of one unit also stops its dependents first, and leaves the rest.
func TestUnitDown_NamedUnit_StopsItsDependentsFirst(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	ctx := context.Background()
	require.NoError(t, svc.Up(ctx,
		UnitSpec{Name: "a", Process: sleeper()},
		UnitSpec{Name: "b", Process: sleeper(), After: []Dependency{{Unit: "a"}}},
		UnitSpec{Name: "c", Process: sleeper(), After: []Dependency{{Unit: "b", Condition: ConditionStarted}}},
		UnitSpec{Name: "other", Process: sleeper()},
	))
	mark := len(rec.all())
	require.NoError(t, svc.Down(ctx, "a"))
	for name, want := range map[string]UnitState{"a": UnitStopped, "b": UnitStopped, "c": UnitStopped, "other": UnitReady} {
		info, err := svc.Unit(name)
		require.NoError(t, err)
		assert.Equal(t, want, info.State, name)
	}
	events := eventNames(rec.all()[mark:])
	assert.Less(t, rec.index("c", UnitStopped, mark), rec.index("b", UnitStopping, mark), events)
	assert.Less(t, rec.index("b", UnitStopped, mark), rec.index("a", UnitStopping, mark), events)

	assert.ErrorIs(t, svc.Down(ctx, "nope"), ErrUnitNotFound)
	assert.ErrorIs(t, svc.Restart(ctx, "nope"), ErrUnitNotFound)
	_, err := svc.Unit("nope")
	assert.ErrorIs(t, err, ErrUnitNotFound)
}

// A dependency that can never hold fails its dependent, with a clear
// error, instead of leaving it waiting.
func TestUnitUp_DependencyFails_DependentFailsWithReason(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	err := svc.Up(context.Background(),
		UnitSpec{Name: "migrate", Process: shell("echo broken >&2; exit 2")},
		UnitSpec{Name: "web", Process: sleeper(), After: []Dependency{{Unit: "migrate", Condition: ConditionSucceeded}}},
		UnitSpec{Name: "worker", Process: sleeper(), After: []Dependency{{Unit: "web"}}},
	)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unit "web" failed: dependency "migrate" failed: exited with status 2`)
	web := awaitUnit(t, svc, "web", UnitFailed, 10*time.Second)
	assert.Contains(t, web.Error, `dependency "migrate" failed`)
	assert.Contains(t, web.Error, "exited with status 2")
	worker := awaitUnit(t, svc, "worker", UnitFailed, 10*time.Second)
	assert.Contains(t, worker.Error, `dependency "web" failed`)
	assert.Empty(t, web.ProcessID, "never started")
}

// Every change is broadcast, in causal order: a dependency's readiness
// before its dependent's start, a unit's changes in the order they
// happened.
func TestUnitUp_Events_InCausalOrder(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	require.NoError(t, svc.Up(context.Background(),
		UnitSpec{Name: "db", Process: shell("echo ready; exec sleep 300"), Ready: &Probe{Output: "ready"}},
		UnitSpec{Name: "web", Process: sleeper(), After: []Dependency{{Unit: "db"}}},
	))
	require.Eventually(t, func() bool { return len(rec.of("web")) == 3 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, "db:waiting web:waiting db:starting db:ready web:starting web:ready", eventNames(rec.all()))
	for _, e := range rec.all() {
		if e.State == UnitReady {
			assert.NotEmpty(t, e.ProcessID, e.Name)
		}
	}
	require.NoError(t, svc.Down(context.Background()))
	assert.Equal(t, "web:stopping web:stopped db:stopping db:stopped", eventNames(rec.all()[6:]))
}

// Restart starts the new process only once the old tree has gone: here a
// grandchild left in the group by a leader that exited.
func TestUnitRestart_NewProcessOnlyOnceTheOldTreeHasGone(t *testing.T) {
	_, svc, rec := newUnitService(t, nil)
	var aliveAtRestart []bool
	rec.onStart = func(e ActionProcessStarted) {
		for _, s := range rec.starts() {
			if s.ID != e.ID {
				aliveAtRestart = append(aliveAtRestart, len(groupMembers(s.PID)) > 0)
			}
		}
	}
	require.NoError(t, svc.Up(context.Background(), UnitSpec{
		Name: "app",
		// The leader ignores SIGTERM for a moment; its child ignores it.
		Process: RunOptions{Command: "sh", Args: []string{"-c", `trap "" TERM; sh -c 'trap "" TERM; exec sleep 300' & exec sleep 300`}, GracePeriod: 100 * time.Millisecond},
	}))
	first := unitProcess(t, svc, "app")
	require.Eventually(t, func() bool { return len(groupMembers(first.PID)) == 2 }, 10*time.Second, 2*time.Millisecond)
	killGroupOnCleanup(t, first.PID)
	require.NoError(t, svc.Restart(context.Background(), "app"))
	second := unitProcess(t, svc, "app")
	assert.NotEqual(t, first.ID, second.ID)
	assert.Equal(t, []bool{false}, aliveAtRestart, "no member of the old group was alive when the new process started")
	assert.Empty(t, groupMembers(first.PID))
	info, err := svc.Unit("app")
	require.NoError(t, err)
	assert.Zero(t, info.Restarts, "a restart by hand is not counted")
	assert.Equal(t, []UnitState{UnitWaiting, UnitStarting, UnitReady, UnitStopping, UnitStarting, UnitReady}, rec.states("app"))
}

// Up's context bounds only its wait: the unit keeps running after it.
func TestUnitUp_ContextEnds_UnitKeepsRunning(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := svc.Up(ctx, UnitSpec{Name: "slow", Process: sleeper(), Ready: fastProbe(Probe{Exec: []string{"false"}})})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.Contains(t, err.Error(), `"slow" (starting`)
	p := unitProcess(t, svc, "slow")
	assert.True(t, p.IsRunning())
	info, _ := svc.Unit("slow")
	assert.Equal(t, UnitStarting, info.State)
}
