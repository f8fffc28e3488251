// Command agent shows how an application finds, after a restart, the
// processes it started before: it persists {ProcessID, PID} in a status
// file and, in its next life, asks the process service about that ID.
//
//	go run ./examples/agent
//
// The first life starts a detached worker through the process.start
// action, writes the status file with Fs.WriteAtomic, and is then killed
// with SIGKILL, as a crash or an OOM kill would. The second life starts a
// new Core: in ContainmentCgroup the process service finds the worker in
// the cgroup the first life made for it and adopts it under its old ID, so
// process.get and process.kill by that ID work, and a PID that is not in
// one of its cgroups is refused. Where cgroups cannot be made (containment
// "group"), the worker is not adopted: the agent falls back to the PID it
// persisted, which the process service then signals without being able to
// tell the worker from a process that reused its PID.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	core "dappco.re/go/core"

	"dappco.re/go/core/process"
)

// status is what the agent persists about its worker.
type status struct {
	ProcessID string `json:"processId"`
	PID       int    `json:"pid"`
}

func main() {
	var err error
	if len(os.Args) == 3 && os.Args[1] == "first-life" {
		err = firstLife(os.Args[2])
	} else {
		err = run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "agent: FAILED:", err)
		os.Exit(1)
	}
}

// run plays both lives: it starts the first as a child program, kills it
// once it has persisted its worker, and then lives the second itself.
func run() error {
	dir, err := os.MkdirTemp("", "agent-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	fmt.Println("== first life")
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	// Same program name (argv[0]) in both lives: the process service keeps
	// each program's cgroups apart by it.
	first := &exec.Cmd{Path: exe, Args: []string{os.Args[0], "first-life", dir}, Stderr: os.Stderr}
	out, err := first.StdoutPipe()
	if err != nil {
		return err
	}
	if err := first.Start(); err != nil {
		return err
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		fmt.Println("  " + lines.Text())
		if lines.Text() == "persisted" {
			break
		}
	}
	fmt.Println("  ... and the first life is killed with SIGKILL")
	_ = first.Process.Kill()
	_ = first.Wait()

	fmt.Println("== second life")
	return secondLife(dir)
}

// firstLife starts the worker, persists it, and waits to be killed.
func firstLife(dir string) error {
	c, err := startCore(dir)
	if err != nil {
		return err
	}
	ctx := context.Background()
	r := c.Process().Start(ctx, core.NewOptions(
		core.Option{Key: "command", Value: "sh"},
		core.Option{Key: "args", Value: []string{"-c", "while :; do sleep 1; done"}},
		core.Option{Key: "detach", Value: true}, // it outlives this program
	))
	if !r.OK {
		return fmt.Errorf("start the worker: %v", r.Value)
	}
	id := r.Value.(string)
	info, err := get(ctx, c, id)
	if err != nil {
		return err
	}
	fmt.Printf("worker %s started: pid %d, containment %q\n", id, info.PID, info.Containment)
	data, _ := json.Marshal(status{ProcessID: id, PID: info.PID})
	if r := c.Fs().WriteAtomic(filepath.Join(dir, "status.json"), string(data)); !r.OK {
		return fmt.Errorf("persist: %v", r.Value)
	}
	fmt.Println("persisted")
	select {} // until killed
}

// secondLife finds the worker the first life persisted and stops it.
func secondLife(dir string) error {
	c, err := startCore(dir)
	if err != nil {
		return err
	}
	defer c.ServiceShutdown(context.Background())
	ctx := context.Background()

	r := c.Fs().Read(filepath.Join(dir, "status.json"))
	if !r.OK {
		return fmt.Errorf("read the status file: %v", r.Value)
	}
	var st status
	if err := json.Unmarshal([]byte(r.Value.(string)), &st); err != nil {
		return err
	}
	fmt.Printf("  status file: worker %s, pid %d\n", st.ProcessID, st.PID)

	info, err := get(ctx, c, st.ProcessID)
	switch {
	case err == nil:
		fmt.Printf("  process.get %s: running %v, pid %d, command %s %s, containment %q\n",
			st.ProcessID, info.Running, info.PID, info.Command, strings.Join(info.Args, " "), info.Containment)
		if r := c.Process().Kill(ctx, core.NewOptions(core.Option{Key: "id", Value: st.ProcessID})); !r.OK {
			return fmt.Errorf("kill %s: %v", st.ProcessID, r.Value)
		}
		fmt.Printf("  process.kill %s: done\n", st.ProcessID)
	case errors.Is(err, process.ErrProcessNotFound):
		// Not adopted (containment "group"): only the PID is left.
		fmt.Printf("  process.get %s: not found; killing pid %d instead\n", st.ProcessID, st.PID)
		if r := c.Process().Kill(ctx, core.NewOptions(core.Option{Key: "pid", Value: st.PID})); !r.OK {
			return fmt.Errorf("kill pid %d: %v", st.PID, r.Value)
		}
	default:
		return err
	}
	if err := awaitGone(st.PID, 5*time.Second); err != nil {
		return err
	}
	fmt.Printf("  pid %d is gone\n", st.PID)

	// In ContainmentCgroup a PID that is not in one of the service's
	// cgroups is refused, not signalled.
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		return err
	}
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()
	r = c.Process().Kill(ctx, core.NewOptions(core.Option{Key: "pid", Value: other.Process.Pid}))
	fmt.Printf("  process.kill of a pid the service never started (%d): ok=%v, %v\n", other.Process.Pid, r.OK, r.Value)
	return nil
}

// startCore builds and starts a Core with the process service, keeping
// detached processes' output files in dir.
func startCore(dir string) (*core.Core, error) {
	c := core.New(core.WithService(process.NewService(process.Options{OutputDir: dir})))
	if r := c.ServiceStartup(context.Background(), nil); !r.OK {
		return nil, fmt.Errorf("start the Core: %v", r.Value)
	}
	return c, nil
}

// get returns the process.get answer for id.
func get(ctx context.Context, c *core.Core, id string) (process.ProcessInfo, error) {
	r := c.Action("process.get").Run(ctx, core.NewOptions(core.Option{Key: "id", Value: id}))
	if !r.OK {
		err, _ := r.Value.(error)
		return process.ProcessInfo{}, err
	}
	return r.Value.(process.ProcessInfo), nil
}

// awaitGone waits until pid has exited.
func awaitGone(pid int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(data), ") Z ") {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("pid %d is still alive", pid)
}
