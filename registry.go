package process

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// DaemonEntry describes a running daemon in a Registry.
type DaemonEntry struct {
	// Code names the program ("goprocess").
	Code string `json:"code"`
	// Daemon names this daemon of the program.
	Daemon string `json:"daemon"`
	// PID is the daemon's process ID.
	PID int `json:"pid"`
	// Health is where the daemon answers /health: an address or a socket.
	Health string `json:"health,omitempty"`
	// Project is what the daemon works on: a directory or a file.
	Project string `json:"project,omitempty"`
	// Binary is the daemon's executable.
	Binary string `json:"binary,omitempty"`
	// Started is when the daemon registered (or the time given).
	Started time.Time `json:"started"`
}

// registryFile is the JSON of an entry's file: the entry and the start time
// of its process (clock ticks since boot, Linux only), which identifies the
// process that registered even after its PID is reused.
type registryFile struct {
	DaemonEntry
	ProcessStart uint64 `json:"processStart,omitempty"`
}

// Registry records running daemons as one JSON file each,
// <code>-<daemon>.json, in a directory. Files are written atomically: a
// reader sees a whole entry or none. An entry counts only while its
// process is alive — it exists, is not a zombie and is the process that
// registered (its start time matches the one recorded at registration) —
// so a daemon that died without unregistering, or whose PID another
// process now holds, is not listed: Get and List delete its file. Files
// that do not decode as an entry are deleted by List too.
type Registry struct {
	dir string
}

// NewRegistry returns a Registry of the files in dir, which Register
// creates when needed.
func NewRegistry(dir string) *Registry {
	return &Registry{dir: dir}
}

// DefaultRegistry returns the Registry in ~/.core/daemons (under the
// current directory when the home directory is unknown).
func DefaultRegistry() *Registry {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		home = "."
	}
	return NewRegistry(filepath.Join(home, ".core", "daemons"))
}

// Dir returns the registry's directory.
func (r *Registry) Dir() string { return r.dir }

// Register records entry, replacing an entry with the same Code and
// Daemon. A zero Started is set to now; the start time of the entry's
// process is recorded beside it. The file is written to a temporary file, synced and renamed into place.
func (r *Registry) Register(entry DaemonEntry) error {
	path, err := r.path(entry.Code, entry.Daemon)
	if err != nil {
		return err
	}
	if entry.PID <= 0 {
		return fmt.Errorf("registry: register %s/%s: invalid PID %d", entry.Code, entry.Daemon, entry.PID)
	}
	// A dead PID is recorded without a start time; Get and List prune it.
	start, _ := processStart(entry.PID)
	if entry.Started.IsZero() {
		entry.Started = time.Now()
	}
	data, err := json.MarshalIndent(registryFile{DaemonEntry: entry, ProcessStart: start}, "", "  ")
	if err != nil {
		return fmt.Errorf("registry: register %s/%s: %w", entry.Code, entry.Daemon, err)
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return fmt.Errorf("registry: register %s/%s: %w", entry.Code, entry.Daemon, err)
	}
	if err := writeFileAtomic(path, append(data, '\n')); err != nil {
		return fmt.Errorf("registry: register %s/%s: %w", entry.Code, entry.Daemon, err)
	}
	return nil
}

// Unregister deletes the entry of code and daemon; a missing entry is not
// an error.
func (r *Registry) Unregister(code, daemon string) error {
	path, err := r.path(code, daemon)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("registry: unregister %s/%s: %w", code, daemon, err)
	}
	return nil
}

// Get returns the entry of code and daemon while its process is alive. A
// dead entry's file is deleted.
func (r *Registry) Get(code, daemon string) (*DaemonEntry, bool) {
	path, err := r.path(code, daemon)
	if err != nil {
		return nil, false
	}
	entry, ok := r.load(path)
	if !ok {
		return nil, false
	}
	return &entry, true
}

// List returns the entries whose processes are alive, sorted by Code and
// Daemon, and deletes the files of dead and undecodable entries. A missing
// directory lists nothing.
func (r *Registry) List() ([]DaemonEntry, error) {
	names, err := filepath.Glob(filepath.Join(r.dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("registry: list %s: %w", r.dir, err)
	}
	var entries []DaemonEntry
	for _, path := range names {
		if entry, ok := r.load(path); ok {
			entries = append(entries, entry)
		}
	}
	slices.SortFunc(entries, func(a, b DaemonEntry) int {
		return strings.Compare(a.Code+"\x00"+a.Daemon, b.Code+"\x00"+b.Daemon)
	})
	return entries, nil
}

// load reads the entry at path; a file that is corrupt or names a dead
// process is deleted.
func (r *Registry) load(path string) (DaemonEntry, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return DaemonEntry{}, false
	}
	var f registryFile
	if err := json.Unmarshal(data, &f); err != nil || f.Code == "" || f.Daemon == "" || f.PID <= 0 {
		_ = os.Remove(path)
		return DaemonEntry{}, false
	}
	if !f.alive() {
		_ = os.Remove(path)
		return DaemonEntry{}, false
	}
	return f.DaemonEntry, true
}

// alive reports whether the entry's process is the one that registered it:
// the same start time when one was recorded; else (an entry written by
// another program) one that had started by the time it registered.
func (f registryFile) alive() bool {
	if f.ProcessStart == 0 {
		return startedBy(f.PID, f.Started)
	}
	start, alive := processStart(f.PID)
	return alive && start == f.ProcessStart
}

// path returns the file of code and daemon, refusing names that would
// leave the directory or be ambiguous.
func (r *Registry) path(code, daemon string) (string, error) {
	for _, name := range []string{code, daemon} {
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`+"\x00") {
			return "", fmt.Errorf("registry: invalid code/daemon %q/%q: each must be non-empty and hold no path separator", code, daemon)
		}
	}
	return filepath.Join(r.dir, code+"-"+daemon+".json"), nil
}

// writeFileAtomic writes data to a temporary file beside path, syncs it,
// renames it over path and syncs the directory: a reader sees the old
// content or the new, and the new survives a crash once it returns.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. Systems that cannot sync a
// directory (Windows) skip it.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && runtime.GOOS != "windows" {
		return err
	}
	return nil
}
