package cgroup

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Group is one cgroup, named by its directory.
type Group struct {
	dir  string // its directory in the mounted hierarchy
	path string // its path as /proc/<pid>/cgroup shows it
}

// At returns the cgroup at dir, whose path in /proc/<pid>/cgroup is path.
func At(dir, path string) Group { return Group{dir: dir, path: path} }

// Dir returns the cgroup's directory.
func (g Group) Dir() string { return g.dir }

// Path returns the cgroup's path as /proc/<pid>/cgroup shows it.
func (g Group) Path() string { return g.path }

// Child returns the cgroup name under g (which need not exist).
func (g Group) Child(name string) Group {
	return Group{dir: filepath.Join(g.dir, name), path: joinPath(g.path, name)}
}

func joinPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// Make creates the cgroup, and its parents if need be; it is not an error
// if it exists.
func (g Group) Make() error {
	if err := os.MkdirAll(g.dir, 0o755); err != nil {
		return fmt.Errorf("create cgroup: %w", err)
	}
	return nil
}

// MakeLeaf creates the cgroup, whose parent must exist; it fails if the
// cgroup exists.
func (g Group) MakeLeaf() error {
	if err := syscall.Mkdir(g.dir, 0o755); err != nil {
		return fmt.Errorf("create cgroup %s: %w", g.dir, err)
	}
	return nil
}

// Remove removes the cgroup and the cgroups under it. It fails with EBUSY
// while one of them has a live member, and succeeds if it is already gone.
func (g Group) Remove() error {
	switch err := syscall.Rmdir(g.dir); err {
	case nil, syscall.ENOENT:
		return nil
	case syscall.ENOTEMPTY, syscall.EEXIST, syscall.EBUSY:
		// Cgroups under it, which its members made, go first.
	default:
		return fmt.Errorf("remove cgroup %s: %w", g.dir, err)
	}
	children, err := g.Children()
	if err != nil {
		return err
	}
	for _, c := range children {
		if err := c.Remove(); err != nil {
			return err
		}
	}
	if err := syscall.Rmdir(g.dir); err != nil && err != syscall.ENOENT {
		return fmt.Errorf("remove cgroup %s: %w", g.dir, err)
	}
	return nil
}

// Children returns the cgroups directly under g.
func (g Group) Children() ([]Group, error) {
	entries, err := os.ReadDir(g.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list cgroup %s: %w", g.dir, err)
	}
	var out []Group
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, g.Child(e.Name()))
		}
	}
	return out, nil
}

// Exists reports whether the cgroup's directory exists.
func (g Group) Exists() bool {
	_, err := os.Stat(g.dir)
	return err == nil
}

// Populated reports whether the cgroup or one under it has a live member
// (a member that has exited but is not yet reaped is not live). A cgroup
// that does not exist has none.
func (g Group) Populated() (bool, error) {
	var buf [64]byte
	data, err := readSmall(filepath.Join(g.dir, "cgroup.events"), buf[:])
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("cgroup %s: %w", g.dir, err)
	}
	v, ok := field(data, "populated")
	return !ok || v != 0, nil
}

// Members returns the PIDs of the live members of the cgroup and of the
// cgroups under it.
func (g Group) Members() ([]int, error) {
	data, err := os.ReadFile(filepath.Join(g.dir, "cgroup.procs"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cgroup %s: %w", g.dir, err)
	}
	var pids []int
	for line := range bytes.Lines(data) {
		if pid, err := strconv.Atoi(string(bytes.TrimSpace(line))); err == nil {
			pids = append(pids, pid)
		}
	}
	children, err := g.Children()
	if err != nil {
		return pids, err
	}
	for _, c := range children {
		more, err := c.Members()
		if err != nil {
			return pids, err
		}
		pids = append(pids, more...)
	}
	return pids, nil
}

// Kill sends SIGKILL to every member of the cgroup and of the cgroups under
// it, at once, so that none can fork a new one meanwhile (cgroup.kill,
// Linux 5.14; before that, each member is killed in turn until none is
// left).
func (g Group) Kill() error {
	err := os.WriteFile(filepath.Join(g.dir, "cgroup.kill"), []byte("1"), 0)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist) && g.Exists():
		return g.killEach()
	case errors.Is(err, fs.ErrNotExist):
		return nil // no cgroup, no member
	}
	return fmt.Errorf("kill cgroup %s: %w", g.dir, err)
}

// killEach kills the members one by one until none is left, for kernels
// without cgroup.kill. Members forked meanwhile are found by the next round.
func (g Group) killEach() error {
	for range 1000 {
		pids, err := g.Members()
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			return nil
		}
		for _, pid := range pids {
			_ = g.SignalMember(pid, syscall.SIGKILL)
		}
	}
	return fmt.Errorf("kill cgroup %s: members keep appearing", g.dir)
}

// Signal sends sig to every live member of the cgroup and of the cgroups
// under it, and reports how many it reached. Each member is pinned with a
// pidfd and checked to be in the cgroup before it is signalled, so a
// process that merely reuses a member's PID is never reached.
func (g Group) Signal(sig syscall.Signal) (int, error) {
	pids, err := g.Members()
	reached := 0
	for _, pid := range pids {
		if g.SignalMember(pid, sig) == nil {
			reached++
		}
	}
	return reached, err
}

// holds reports whether pid is in g or in a cgroup under it.
func (g Group) holds(pid int) bool {
	path, err := PathOf(pid)
	return err == nil && (path == g.path || strings.HasPrefix(path, g.path+"/"))
}

// PathOf returns the cgroup v2 path of process pid, as /proc/<pid>/cgroup
// shows it.
func PathOf(pid int) (string, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return "", err
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte("0::")); ok {
			return string(bytes.TrimSpace(rest)), nil
		}
	}
	return "", fmt.Errorf("pid %d: no cgroup v2 entry", pid)
}

// Usage returns what the cgroup's members, past and present, have used;
// withMemory also reads the peak memory, which the cgroup records if the
// memory controller is enabled for it (HasMemoryPeak). It is the zero
// Usage for a cgroup that no longer exists.
func (g Group) Usage(withMemory bool) Usage {
	var u Usage
	var buf [512]byte
	if data, err := readSmall(filepath.Join(g.dir, "cpu.stat"), buf[:]); err == nil {
		if usec, ok := field(data, "usage_usec"); ok {
			u.CPU = time.Duration(usec) * time.Microsecond
		}
	}
	if !withMemory {
		return u
	}
	if data, err := readSmall(filepath.Join(g.dir, "memory.peak"), buf[:]); err == nil {
		if n, err := strconv.ParseInt(string(bytes.TrimSpace(data)), 10, 64); err == nil {
			u.MaxRSS = n
		}
	}
	return u
}

// HasMemoryPeak reports whether the memory controller is enabled for the
// cgroup, which then records its peak memory (memory.peak).
func (g Group) HasMemoryPeak() bool {
	_, err := os.Stat(filepath.Join(g.dir, "memory.peak"))
	return err == nil
}

// field returns the value of "key value" in a flat-keyed cgroup file.
func field(data []byte, key string) (int64, bool) {
	for line := range bytes.Lines(data) {
		k, v, ok := bytes.Cut(bytes.TrimSpace(line), []byte(" "))
		if ok && string(k) == key {
			n, err := strconv.ParseInt(string(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
