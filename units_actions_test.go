package process

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnitActions_UpUnitsUnitRestartDown(t *testing.T) {
	c, _, _ := newUnitService(t, nil)
	ctx := context.Background()
	run := func(action string, opts ...core.Option) core.Result {
		return c.Action(action).Run(ctx, core.NewOptions(opts...))
	}

	r := run("process.up", core.Option{Key: "units", Value: []UnitSpec{
		{Name: "db", Process: sleeper()},
		{Name: "web", Process: sleeper(), After: []Dependency{{Unit: "db"}}},
	}})
	require.True(t, r.OK, "%v", r.Value)
	infos := r.Value.([]UnitInfo)
	require.Len(t, infos, 2)
	assert.Equal(t, UnitReady, infos[1].State)

	r = run("process.up", core.Option{Key: "unit", Value: &UnitSpec{Name: "cron", Process: sleeper()}})
	require.True(t, r.OK, "%v", r.Value)

	r = run("process.units")
	require.True(t, r.OK)
	var names []string
	for _, info := range r.Value.([]UnitInfo) {
		names = append(names, info.Name)
	}
	assert.Equal(t, []string{"db", "web", "cron"}, names)

	r = run("process.unit", core.Option{Key: "name", Value: "web"})
	require.True(t, r.OK)
	before := r.Value.(UnitInfo)

	r = run("process.restart", core.Option{Key: "name", Value: "web"})
	require.True(t, r.OK, "%v", r.Value)
	after := r.Value.(UnitInfo)
	assert.Equal(t, UnitReady, after.State)
	assert.NotEqual(t, before.ProcessID, after.ProcessID)

	r = run("process.down", core.Option{Key: "names", Value: []any{"db"}})
	require.True(t, r.OK, "%v", r.Value)
	for _, name := range []string{"db", "web"} {
		r = run("process.unit", core.Option{Key: "name", Value: name})
		assert.Equal(t, UnitStopped, r.Value.(UnitInfo).State, name)
	}
	r = run("process.down")
	require.True(t, r.OK, "%v", r.Value)
	r = run("process.unit", core.Option{Key: "name", Value: "cron"})
	assert.Equal(t, UnitStopped, r.Value.(UnitInfo).State)
}

func TestUnitActions_BadOptions_RefusedNamingTheKey(t *testing.T) {
	c, _, _ := newUnitService(t, nil)
	ctx := context.Background()
	cases := []struct {
		action string
		opts   []core.Option
		want   string
	}{
		{"process.up", nil, `process.up: option "units": required (or "unit")`},
		{"process.up", []core.Option{{Key: "units", Value: "web"}}, `option "units": want a []UnitSpec, got string`},
		{"process.up", []core.Option{{Key: "units", Value: []any{UnitSpec{Name: "a"}, 3}}}, `option "units": item 1: want a UnitSpec, got int`},
		{"process.up", []core.Option{{Key: "unit", Value: UnitSpec{Name: "a", Process: sleeper()}}, {Key: "units", Value: []UnitSpec{}}},
			`give either "units" or "unit", not both`},
		{"process.up", []core.Option{{Key: "unit", Value: UnitSpec{Name: "a"}}}, `unit "a": process command is empty`},
		{"process.up", []core.Option{{Key: "unis", Value: UnitSpec{}}}, `unknown option "unis" (did you mean "unit`},
		{"process.down", []core.Option{{Key: "names", Value: []any{"nope"}}}, `process: down: unit "nope" not found`},
		{"process.down", []core.Option{{Key: "name", Value: "web"}}, `unknown option "name" (did you mean "names"?)`},
		{"process.restart", nil, `process.restart: option "name": required`},
		{"process.restart", []core.Option{{Key: "name", Value: "nope"}}, `process: restart: unit "nope" not found`},
		{"process.unit", []core.Option{{Key: "name", Value: 7}}, `option "name": want a string`},
		{"process.unit", []core.Option{{Key: "name", Value: "nope"}}, `process: unit "nope" not found`},
		{"process.units", []core.Option{{Key: "all", Value: true}}, `unknown option "all"`},
	}
	for _, tc := range cases {
		r := c.Action(tc.action).Run(ctx, core.NewOptions(tc.opts...))
		require.False(t, r.OK, "%s %v", tc.action, tc.opts)
		err, isErr := r.Value.(error)
		require.True(t, isErr, "%s: %T", tc.action, r.Value)
		assert.Contains(t, err.Error(), tc.want, tc.action)
	}
	r := c.Action("process.unit").Run(ctx, core.NewOptions(core.Option{Key: "name", Value: "nope"}))
	assert.True(t, errors.Is(r.Value.(error), ErrUnitNotFound))
}

// The unit methods work standalone, without the Core's lifecycle.
func TestUnitUp_Standalone_WithoutStartup(t *testing.T) {
	svc := Register(core.New()).Value.(*Service)
	t.Cleanup(func() { svc.OnShutdown(context.Background()) })
	require.NoError(t, svc.Up(context.Background(), UnitSpec{Name: "a", Process: sleeper()}))
	p := unitProcess(t, svc, "a")
	killOnCleanup(t, p.PID)
	require.NoError(t, svc.Down(context.Background()))
	assert.False(t, p.IsRunning())
}

// A handler of a unit's change may call back into the service, even Down
// of that unit, without deadlock; the changes keep their order.
func TestUnitEvents_HandlerDownsTheUnitItIsToldAbout(t *testing.T) {
	c, svc, rec := newUnitService(t, nil)
	downed := make(chan error, 1)
	c.RegisterAction(func(_ *core.Core, msg core.Message) core.Result {
		if e, ok := msg.(ActionUnitChanged); ok && e.Name == "web" && e.State == UnitReady {
			downed <- svc.Down(context.Background(), "web")
		}
		return core.Result{OK: true}
	})
	require.NoError(t, svc.Up(context.Background(), UnitSpec{Name: "web", Process: sleeper()}))
	require.NoError(t, awaitErr(t, downed, 10*time.Second, "Down from a handler"))
	info, err := svc.Unit("web")
	require.NoError(t, err)
	assert.Equal(t, UnitStopped, info.State)
	require.Eventually(t, func() bool { return len(rec.of("web")) == 5 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, []UnitState{UnitWaiting, UnitStarting, UnitReady, UnitStopping, UnitStopped}, rec.states("web"))
}

// Up, Down and Restart from many goroutines at once leave every unit in a
// state it may be in, with no internal error of the state machine.
func TestUnitConcurrentUpDownRestart_NoInternalError(t *testing.T) {
	_, svc, _ := newUnitService(t, nil)
	before := unitInternalErrors.Load()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	specs := []UnitSpec{
		{Name: "a", Process: sleeper(), Restart: RestartAlways, Backoff: Backoff{Initial: time.Millisecond}},
		{Name: "b", Process: shell("exit 1"), Restart: RestartOnFailure, Backoff: Backoff{Initial: time.Millisecond}, After: []Dependency{{Unit: "a", Condition: ConditionStarted}}},
		{Name: "c", Process: shell("echo up; exec sleep 300"), Ready: &Probe{Output: "up"}, After: []Dependency{{Unit: "a"}}},
	}
	require.NoError(t, svc.Up(ctx, specs...))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				name := specs[(i+j)%3].Name
				switch (i + j) % 4 {
				case 0:
					_ = svc.Restart(ctx, name)
				case 1:
					_ = svc.Down(ctx, name)
				case 2:
					_ = svc.Up(ctx, specs[(i+j)%3])
				default:
					_, _ = svc.Unit(name)
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, svc.Down(ctx))
	for _, info := range svc.Units() {
		assert.Contains(t, []UnitState{UnitStopped, UnitFailed, UnitSucceeded}, info.State, info.Name)
	}
	assert.Equal(t, before, unitInternalErrors.Load(), "internal errors of the unit state machine")
}
