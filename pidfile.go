package process

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// ErrAlreadyRunning reports a PIDFile another live process holds.
var ErrAlreadyRunning = errors.New("already running")

// PIDFile enforces a single instance of a program: the file holds the
// owner's PID in decimal, so ReadPID and other tools read it.
//
// Acquire takes an exclusive flock(2) on the open file and keeps it (and
// the file open) until Release or the owner's death, when the kernel drops
// it: two Acquires racing each other cannot both win. A file whose lock
// is free is taken over, unless it names a live process that had started
// by the time the file was written (one written by a program that does
// not lock PID files): a file left behind by a crashed owner — whose PID
// another process may now hold — is taken over.
// Locking needs a Unix system; elsewhere Acquire returns an error matching
// errors.ErrUnsupported.
type PIDFile struct {
	path string

	mu   sync.Mutex
	file *os.File // open and locked while acquired
}

// NewPIDFile returns a PIDFile for path. It touches nothing until Acquire.
func NewPIDFile(path string) *PIDFile {
	return &PIDFile{path: path}
}

// Path returns the file's path.
func (p *PIDFile) Path() string { return p.path }

// Acquire makes this program the file's owner: it creates the parent
// directories and the file, locks it and writes this program's PID into
// it. It fails with an error matching ErrAlreadyRunning, naming the
// owner's PID, while another process (or another PIDFile of this one)
// holds the file, while the file names another live process (see
// ReadPID), and when this PIDFile already holds it.
func (p *PIDFile) Acquire() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.file != nil {
		return fmt.Errorf("pid file %s: %w: acquired already by this PIDFile", p.path, ErrAlreadyRunning)
	}
	if err := os.MkdirAll(filepath.Dir(p.path), 0o755); err != nil {
		return fmt.Errorf("pid file %s: %w", p.path, err)
	}
	f, err := lockPIDFile(p.path)
	if err != nil {
		return err
	}
	// The lock is free, but the file may still name a live program that
	// does not lock it (the original go-process did not). ReadPID does not
	// mistake a process that reuses a dead owner's PID for it.
	if pid, alive := ReadPID(p.path); alive && pid != os.Getpid() {
		_ = f.Close()
		return fmt.Errorf("pid file %s: %w (PID %d, which holds no lock on it)", p.path, ErrAlreadyRunning, pid)
	}
	if err := writePID(f, os.Getpid()); err != nil {
		_ = os.Remove(p.path)
		_ = f.Close()
		return fmt.Errorf("pid file %s: %w", p.path, err)
	}
	p.file = f
	return nil
}

// Release removes the file and gives up the lock. It does nothing when
// this PIDFile does not hold the file (never acquired, or released
// already): a file that another process owns is never removed.
func (p *PIDFile) Release() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.file == nil {
		return nil
	}
	// Remove while still holding the lock, so that nobody can lock the
	// file at this path and then lose it to the removal.
	err := os.Remove(p.path)
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	if cerr := p.file.Close(); err == nil {
		err = cerr
	}
	p.file = nil
	if err != nil {
		return fmt.Errorf("pid file %s: release: %w", p.path, err)
	}
	return nil
}

// writePID replaces f's content with pid in decimal and a newline, and
// syncs it.
func writePID(f *os.File, pid int) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(pid)+"\n"), 0); err != nil {
		return err
	}
	return f.Sync()
}

// ReadPID reads the PID in the file at path: (0, false) when the file is
// missing or holds no valid PID; (pid, true) when that process is alive —
// it exists, is not a zombie and had started by the time the file was last
// written, so a process that merely reuses the PID of a dead owner does
// not count (on Linux; elsewhere the PID's existence decides); else
// (pid, false).
func ReadPID(path string) (int, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	info, err := os.Stat(path)
	if err != nil {
		return pid, false
	}
	return pid, startedBy(pid, info.ModTime())
}
