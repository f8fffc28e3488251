package core

import (
	"context"
	"slices"
	"testing"
)

func TestProcess_WithoutServiceEveryCallFails(t *testing.T) {
	c := New()
	p := c.Process()
	if p == nil || p.Exists() {
		t.Fatal("a Core without a process service must have no process capability")
	}
	ctx := context.Background()
	calls := map[string]Result{
		"Run":        p.Run(ctx, "git", "log"),
		"RunIn":      p.RunIn(ctx, "/tmp", "git", "log"),
		"RunWithEnv": p.RunWithEnv(ctx, "/tmp", []string{"A=1"}, "git", "log"),
		"Start":      p.Start(ctx, NewOptions(Option{Key: "command", Value: "sleep"})),
		"Kill":       p.Kill(ctx, NewOptions(Option{Key: "id", Value: "x"})),
	}
	wantAction := map[string]string{"Run": "process.run", "RunIn": "process.run", "RunWithEnv": "process.run", "Start": "process.start", "Kill": "process.kill"}
	for name, r := range calls {
		if r.OK {
			t.Errorf("%s succeeded without a process service", name)
		}
		err, ok := r.Value.(error)
		if !ok || err.Error() != "action.Run: action not registered: "+wantAction[name] {
			t.Errorf("%s Value = %v, want Action.Run's not-registered error", name, r.Value)
		}
	}
	var nilP *Process
	if !panics(func() { nilP.Exists() }) {
		t.Fatal("a nil *Process must panic, as in the real framework")
	}
}

func TestProcess_NewValueEachCall(t *testing.T) {
	c := New()
	if c.Process() == c.Process() {
		t.Fatal("c.Process() returns a new *Process on each call in the real framework")
	}
}

func TestProcess_HandlerlessActionDoesNotExist(t *testing.T) {
	c := New()
	c.Action("process.run", nil)
	if c.Process().Exists() {
		t.Fatal("a process.run registered without a handler is no capability")
	}
}

func TestProcess_DispatchesNamedActionsWithOptions(t *testing.T) {
	c := New()
	var got []Options
	var names []string
	record := func(name string) ActionHandler {
		return func(_ context.Context, o Options) Result {
			names = append(names, name)
			got = append(got, o)
			return Result{Value: "out", OK: true}
		}
	}
	c.Action("process.run", record("run"))
	c.Action("process.start", record("start"))
	c.Action("process.kill", record("kill"))
	if !c.Process().Exists() {
		t.Fatal("Exists must be true once process.run is registered")
	}
	ctx := context.Background()

	if r := c.Process().Run(ctx, "git", "log"); !r.OK || r.Value != "out" {
		t.Fatalf("Run = %+v", r)
	}
	o := got[0]
	if o.String("command") != "git" || !slices.Equal(o.Get("args").Value.([]string), []string{"log"}) || o.Has("dir") || o.Has("env") {
		t.Fatalf("Run options = %v", o.Items())
	}

	c.Process().RunIn(ctx, "/repo", "go", "test", "./...")
	o = got[1]
	if o.String("dir") != "/repo" || o.String("command") != "go" || !slices.Equal(o.Get("args").Value.([]string), []string{"test", "./..."}) || o.Has("env") {
		t.Fatalf("RunIn options = %v", o.Items())
	}

	c.Process().RunWithEnv(ctx, "/repo", []string{"CI=1"}, "make")
	o = got[2]
	if o.String("dir") != "/repo" || !slices.Equal(o.Get("env").Value.([]string), []string{"CI=1"}) || o.String("command") != "make" {
		t.Fatalf("RunWithEnv options = %v", o.Items())
	}

	startOpts := NewOptions(Option{Key: "command", Value: "sleep"}, Option{Key: "detach", Value: true})
	c.Process().Start(ctx, startOpts)
	killOpts := NewOptions(Option{Key: "id", Value: "id-1-abcdef"})
	c.Process().Kill(ctx, killOpts)
	if !slices.Equal(names, []string{"run", "run", "run", "start", "kill"}) {
		t.Fatalf("actions dispatched = %v", names)
	}
	if !got[3].Bool("detach") || got[4].String("id") != "id-1-abcdef" {
		t.Fatal("Start/Kill must pass their options unchanged")
	}
}
