package process

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"dappco.re/go/core/process/internal/cgroup"
	"dappco.re/go/core/process/internal/proc"
)

// Containment says how the descendants of a managed process are held
// together, so that a stop reaches every one of them.
type Containment string

// Containment modes.
const (
	// ContainmentAuto chooses ContainmentCgroup where this program can
	// create cgroups in a cgroup v2 hierarchy, and ContainmentGroup
	// elsewhere.
	ContainmentAuto Containment = ""
	// ContainmentCgroup starts every process in a cgroup of its own, which
	// no descendant can leave: not by setsid, not by double-forking.
	ContainmentCgroup Containment = "cgroup"
	// ContainmentGroup makes every process lead a process group of its own,
	// and this program the subreaper of its descendants: one that leaves the
	// group is re-parented to this program once its parent has gone, and
	// is then found, signalled and reaped. A descendant that leaves the
	// group is reached only once its parent has exited.
	ContainmentGroup Containment = "group"
)

// groupMarkerEnv is set, in ContainmentGroup, in the environment of every
// process to its ID, so that descendants re-parented to this program can
// be told apart.
const groupMarkerEnv = "GO_PROCESS_ID"

// resolveContainment returns the containment in force for mode, with the
// cgroup home when it is ContainmentCgroup.
func resolveContainment(mode Containment) (Containment, *cgroupHome, error) {
	switch mode {
	case ContainmentAuto, ContainmentCgroup:
		home, err := newCgroupHome(programName())
		if err == nil {
			return ContainmentCgroup, home, nil
		}
		if mode == ContainmentCgroup {
			return "", nil, fmt.Errorf("containment %q: %w", mode, err)
		}
		fallthrough
	case ContainmentGroup:
		if err := proc.BecomeSubreaper(); err != nil {
			return "", nil, fmt.Errorf("containment %q: %w", ContainmentGroup, err)
		}
		return ContainmentGroup, nil, nil
	}
	return "", nil, fmt.Errorf("containment %q: unknown (want %q, %q or %q)", mode, ContainmentAuto, ContainmentCgroup, ContainmentGroup)
}

// cgroupHome is where a service instance makes its processes' cgroups:
//
//	<this program's cgroup>/go-process/<program>/<instance>/<leaf>
//
// The instance name says which program made it (PID and start time), so a
// later instance can tell the cgroups of one that has died from those of
// one still running. A detached process's leaf is named after its ID
// (<ID>.detached), so a later instance can adopt it by that ID. Other
// leaves are pooled: making and removing a cgroup, and starting a child in
// a cgroup that has never had a member, cost more than the rest of a
// start, so a leaf whose process is done goes back to the pool and is
// reused, and a leaf left unused for poolIdle is removed.
type cgroupHome struct {
	base     cgroup.Group // go-process/<program>: every instance of this program
	instance cgroup.Group // this instance's: made at its first process

	once sync.Once
	err  error

	mu    sync.Mutex
	free  []*leafCgroup // pooled leaves with no member, the most recently used last
	slots int           // pooled leaves made so far, to name the next
	pool  bool          // leaves are reused: no memory controller makes a leaf's peak its own
	trim  *time.Timer   // removes the leaves left unused for poolIdle
}

// poolIdle is how long a pooled leaf may stay unused before it is removed.
const poolIdle = time.Second

// leafCgroup is the cgroup one process runs in.
type leafCgroup struct {
	cgroup.Group
	home      *cgroupHome  // the pool it goes back to; nil: removed once its process is done
	base      cgroup.Usage // what earlier processes in it used
	idleSince time.Time    // when it went back to the pool
	memory    bool         // the memory controller records its peak
	// killed: cgroup.kill was written. Such a cgroup is never reused: the
	// kernel (6.18 here) kills every child later started in it with
	// CLONE_INTO_CGROUP.
	killed bool
}

// used returns what every process the leaf has held has used.
func (l *leafCgroup) used() cgroup.Usage { return l.Usage(l.memory) }

// usage returns what the current process in the leaf has used.
func (l *leafCgroup) usage() cgroup.Usage {
	u := l.used()
	u.CPU -= l.base.CPU
	return u
}

// detachedSuffix ends the cgroup name of a detached process, which a later
// instance adopts instead of stopping.
const detachedSuffix = ".detached"

// instances numbers the service instances of this program.
var instances atomic.Int64

// newCgroupHome finds this program's cgroup and checks that a cgroup can be
// made under it, for the program named program.
func newCgroupHome(program string) (*cgroupHome, error) {
	dir, path, err := cgroup.Own()
	if err != nil {
		return nil, err
	}
	base := cgroup.At(dir, path).Child("go-process").Child(program)
	if err := base.Make(); err != nil {
		return nil, fmt.Errorf("%w: %w", cgroup.ErrUnavailable, err)
	}
	self, err := selfInstance()
	if err != nil {
		return nil, err
	}
	name := self + "." + strconv.FormatInt(instances.Add(1), 10)
	return &cgroupHome{base: base, instance: base.Child(name), pool: true}, nil
}

// programName names this program in cgroup names: the base name it was
// started as (its argv[0]), with anything but letters, digits, '.', '-' and
// '_' replaced.
func programName() string {
	name := "program"
	if len(os.Args) > 0 {
		name = filepath.Base(os.Args[0])
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, name)
	if name == "" || name == "." || name == ".." {
		name = "program"
	}
	return name
}

// selfInstance names this running program: its PID and start time.
func selfInstance() (string, error) {
	start, err := proc.StartTime(os.Getpid())
	if err != nil {
		return "", fmt.Errorf("%w: %w", cgroup.ErrUnavailable, err)
	}
	return strconv.Itoa(os.Getpid()) + "." + strconv.FormatUint(start, 10), nil
}

// instanceAlive reports whether the program that named an instance cgroup
// (see selfInstance) still runs. A zombie — dead, not yet reaped by its
// parent — does not.
func instanceAlive(name string) bool {
	pidText, rest, ok := strings.Cut(name, ".")
	startText, _, _ := strings.Cut(rest, ".")
	pid, err1 := strconv.Atoi(pidText)
	start, err2 := strconv.ParseUint(startText, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return true // not one of ours: leave it alone
	}
	now, err := proc.StartTime(pid)
	return err == nil && now == start && !deadUnreaped(pid)
}

// deadUnreaped reports whether process pid has exited without having been
// reaped yet: its state in /proc/<pid>/stat is Z (zombie) or X (dead).
func deadUnreaped(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && statDead(data)
}

// statDead reports whether the /proc/<pid>/stat text data is that of a
// process that has exited (state Z or X).
func statDead(data []byte) bool {
	// The command may hold spaces and parentheses: the state follows the
	// last ')'.
	_, after, found := bytes.Cut(data[bytes.LastIndexByte(data, ')')+1:], []byte(" "))
	if !found || len(after) == 0 {
		return false
	}
	return after[0] == 'Z' || after[0] == 'X'
}

// leaf returns a cgroup, with no member, for a new process, and opens it
// for the child to start in.
func (h *cgroupHome) leaf(id string, detached bool) (*leafCgroup, *os.File, error) {
	h.once.Do(func() { h.err = h.instance.Make() })
	if h.err != nil {
		return nil, nil, h.err
	}
	l := h.reuse(detached)
	if l == nil {
		var err error
		if l, err = h.make(id, detached); err != nil {
			return nil, nil, err
		}
	}
	dir, err := l.Open()
	if err != nil {
		_ = l.Remove()
		return nil, nil, err
	}
	return l, dir, nil
}

// reuse takes a leaf from the pool, if a process that is not detached can
// have one.
func (h *cgroupHome) reuse(detached bool) *leafCgroup {
	h.mu.Lock()
	defer h.mu.Unlock()
	if detached || len(h.free) == 0 {
		return nil
	}
	l := h.free[len(h.free)-1]
	h.free = h.free[:len(h.free)-1]
	return l
}

// make makes a new leaf: named after the process if it is detached,
// pooled otherwise.
func (h *cgroupHome) make(id string, detached bool) (*leafCgroup, error) {
	name, home := id+detachedSuffix, (*cgroupHome)(nil)
	if !detached {
		h.mu.Lock()
		h.slots++
		name, home = "p"+strconv.Itoa(h.slots), h
		h.mu.Unlock()
	}
	l := &leafCgroup{Group: h.instance.Child(name), home: home}
	err := l.MakeLeaf()
	if errors.Is(err, fs.ErrNotExist) { // the instance's cgroup was removed meanwhile
		if err = h.instance.Make(); err == nil {
			err = l.MakeLeaf()
		}
	}
	if err != nil {
		return nil, err
	}
	l.memory = l.HasMemoryPeak()
	if home != nil && l.memory {
		h.mu.Lock()
		h.pool = false // a leaf's memory.peak would span its processes
		h.mu.Unlock()
	}
	return l, nil
}

// release takes back into the pool the leaf of a process that is done,
// whose members have all gone and whose last usage was final, and reports
// whether it did; a leaf it does not take is for the caller to remove.
func (h *cgroupHome) release(l *leafCgroup, final cgroup.Usage) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	// A cgroup its members made under it stays there, empty, until the
	// leaf is removed.
	if !h.pool || l.killed {
		return false
	}
	l.base, l.idleSince = final, time.Now()
	h.free = append(h.free, l)
	if h.trim == nil {
		h.trim = time.AfterFunc(poolIdle, h.trimIdle)
	}
	return true
}

// trimIdle removes the pooled leaves left unused for poolIdle.
func (h *cgroupHome) trimIdle() {
	h.mu.Lock()
	var idle []*leafCgroup
	kept := h.free[:0]
	for _, l := range h.free {
		if time.Since(l.idleSince) >= poolIdle {
			idle = append(idle, l)
		} else {
			kept = append(kept, l)
		}
	}
	clear(h.free[len(kept):])
	h.free = kept
	h.trim = nil
	if len(h.free) > 0 {
		h.trim = time.AfterFunc(poolIdle-time.Since(h.free[0].idleSince), h.trimIdle)
	}
	h.mu.Unlock()
	for _, l := range idle {
		cgroupRemover.remove(l.Group)
	}
}

// close removes this instance's cgroup, with the cgroups of its processes
// that have no member left, and then the program's cgroup above it if no
// other instance uses it.
func (h *cgroupHome) close() {
	cgroupRemover.flush()
	h.mu.Lock()
	if h.trim != nil {
		h.trim.Stop()
		h.trim = nil
	}
	h.free = nil
	h.mu.Unlock()
	if err := h.instance.Remove(); err != nil {
		return // a process of this instance lives on
	}
	// Each fails while another instance, or another program, has a cgroup
	// there.
	if syscall.Rmdir(h.base.Dir()) == nil {
		_ = syscall.Rmdir(filepath.Dir(h.base.Dir()))
	}
}

// signal sends sig to pid if it is in a cgroup of this program — of this
// instance or of another one, running or gone — and refuses any other
// process: a PID that was once a managed process's may since have been
// reused by anyone.
func (h *cgroupHome) signal(pid int, sig syscall.Signal) error {
	err := h.base.SignalMember(pid, sig)
	if err == syscall.ESRCH && proc.Exists(pid) {
		return errNotOurs
	}
	return err
}

// errNotOurs refuses a PID outside this program's cgroups.
var errNotOurs = errors.New("refusing to signal it: it is not in a cgroup of this service (containment \"cgroup\")")
