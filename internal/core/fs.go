package core

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"
)

// Fs is local filesystem access, optionally sandboxed to a root
// directory. In a sandboxed Fs every path — absolute or relative — is
// taken relative to the root, ".." cannot climb above it, and a path that
// resolves outside the root through a symlink (at any depth, dangling or
// not) is refused, for reads and writes alike. The zero Fs, and one rooted
// at "/", is unrestricted: relative paths are relative to the working
// directory. Failures carry the operating system's error as it is (an
// *fs.PathError, …); a refused path carries an *Err.
type Fs struct {
	root string // as given to New ("" means "/")
}

// New roots m at root and returns m: "" or "/" means unrestricted,
// anything else sandboxes every later operation of m to root (a relative
// root is taken relative to the working directory at the time of each
// operation). New changes the Fs it is called on: c.Fs().New(root)
// sandboxes the Core's own Fs, and (&Fs{}).New(root) makes a separate one.
func (m *Fs) New(root string) *Fs {
	if root == "" {
		root = "/"
	}
	m.root = root
	return m
}

// NewUnrestricted returns a new Fs rooted at "/" (no sandbox); m is left
// as it is.
func (m *Fs) NewUnrestricted() *Fs {
	return (&Fs{}).New("/")
}

// Root returns the root given to New ("/" when unrestricted).
func (m *Fs) Root() string {
	if m.root == "" {
		return "/"
	}
	return m.root
}

// resolve maps p to the path an operation acts on, or fails.
//
// Unrestricted: "" is "/", a relative p is joined to the working directory
// and an absolute one is cleaned; symlinks are left to the OS.
//
// Sandboxed: p is cleaned as if absolute and joined to the root, and every
// symlink along it is resolved; a path that resolves outside the root (the
// root's own symlinks resolved) is refused with a "sandbox escape" *Err.
// The result is the fully resolved path when it exists, and otherwise the
// resolved parent joined with the last element.
func (m *Fs) resolve(p string) (string, error) {
	root := m.Root()
	if root == "/" {
		switch {
		case p == "":
			return "/", nil
		case !filepath.IsAbs(p):
			cwd, _ := os.Getwd()
			return filepath.Join(cwd, p), nil
		}
		return filepath.Clean(p), nil
	}
	base, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(base); err == nil {
		base = r
	}
	lexical := filepath.Join(base, filepath.Clean("/" + p)[1:])
	if lexical == base {
		return base, nil
	}
	parent, err := resolveDeep(filepath.Dir(lexical), 0)
	if err != nil {
		return "", err
	}
	link := filepath.Join(parent, filepath.Base(lexical))
	target, err := resolveDeep(link, 0)
	if err != nil {
		return "", err
	}
	if !within(base, parent) || !within(base, target) {
		username := "unknown"
		if u, err := user.Current(); err == nil {
			username = u.Username
		}
		fmt.Fprintf(os.Stderr, "[%s] SECURITY sandbox escape detected root=%s path=%s attempted=%s user=%s\n",
			time.Now().Format(time.RFC3339), root, p, target, username)
		return "", E("fs.validatePath", "sandbox escape: "+p+" resolves outside "+root, nil)
	}
	if _, err := os.Stat(link); err == nil {
		return target, nil
	}
	return link, nil
}

// within reports whether p is root or below it.
func within(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

// resolveDeep resolves every symlink in the absolute path p, including a
// dangling final link and links inside not-yet-existing tails: the longest
// existing prefix is resolved and the rest appended.
func resolveDeep(p string, depth int) (string, error) {
	if depth > 64 {
		return "", E("fs.resolve", "too many levels of symbolic links: "+quote(p), nil)
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r, nil
	}
	fi, err := os.Lstat(p)
	switch {
	case err == nil && fi.Mode()&os.ModeSymlink != 0:
		dest, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			parent, err := resolveDeep(filepath.Dir(p), depth+1)
			if err != nil {
				return "", err
			}
			dest = filepath.Join(parent, dest)
		}
		return resolveDeep(filepath.Clean(dest), depth+1)
	case err == nil:
		// It exists but EvalSymlinks failed (e.g. a permission problem
		// part-way): resolve the parent and keep the name.
	case !os.IsNotExist(err):
		return "", err
	}
	dir := filepath.Dir(p)
	if dir == p {
		return p, nil
	}
	parent, err := resolveDeep(dir, depth+1)
	if err != nil {
		return "", err
	}
	return filepath.Join(parent, filepath.Base(p)), nil
}

// fail is the failed Result carrying err.
func fail(err error) Result { return Result{Value: err, OK: false} }

// Read returns the content of file p as a string (Result.Value).
func (m *Fs) Read(p string) Result {
	full, err := m.resolve(p)
	if err != nil {
		return fail(err)
	}
	b, err := os.ReadFile(full)
	if err != nil {
		return fail(err)
	}
	return Result{Value: string(b), OK: true}
}

// Write writes content to file p with mode 0644, creating missing parent
// directories (0755). It is not atomic; see WriteAtomic.
func (m *Fs) Write(p, content string) Result {
	return m.WriteMode(p, content, 0o644)
}

// WriteMode is Write with an explicit mode for a newly created file (use
// 0600 for secrets); an existing file keeps its mode.
func (m *Fs) WriteMode(p, content string, mode os.FileMode) Result {
	full, err := m.resolve(p)
	if err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(full, []byte(content), mode); err != nil {
		return fail(err)
	}
	return Result{OK: true}
}

// WriteAtomic replaces file p with content so that a concurrent reader
// sees either the old or the new content, never a mix: it writes a
// temporary file beside the target ("<name>.tmp.<6 hex>", mode 0644
// before the umask, as a new file — an existing file's mode is not kept),
// fsyncs it, renames it over the target and fsyncs the directory, so the
// new content also survives a crash. Missing parent directories are
// created. The temporary file never outlives the call.
func (m *Fs) WriteAtomic(p, content string) Result {
	full, err := m.resolve(p)
	if err != nil {
		return fail(err)
	}
	dir := filepath.Dir(full)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	var (
		tmp     *os.File
		tmpName string
	)
	for range 10 {
		tmpName = full + ".tmp." + shortRand()
		tmp, err = os.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if !os.IsExist(err) {
			break
		}
	}
	if err != nil {
		return fail(err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	if _, err := tmp.WriteString(content); err != nil {
		return fail(err)
	}
	if err := fsyncFile(tmp); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmpName, full); err != nil {
		return fail(err)
	}
	ok = true
	if err := fsyncDir(dir); err != nil {
		return fail(err)
	}
	return Result{OK: true}
}

// shortRand returns 6 random hex digits.
func shortRand() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// fsyncFile and fsyncDir are the durability steps of WriteAtomic
// (variables so tests can observe their order).
var (
	fsyncFile = (*os.File).Sync
	fsyncDir  = syncDir
)

// syncDir fsyncs directory dir so a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// EnsureDir creates directory p and any missing parents (0755); an
// existing directory is fine.
func (m *Fs) EnsureDir(p string) Result {
	full, err := m.resolve(p)
	if err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(full, 0o755); err != nil {
		return fail(err)
	}
	return Result{OK: true}
}

// Exists reports whether p exists inside the Fs (false when it does not,
// cannot be checked, or is outside the sandbox). "" is the root, which
// exists.
func (m *Fs) Exists(p string) bool {
	_, ok := m.stat(p)
	return ok
}

// IsFile reports whether p is a regular file inside the Fs ("" is not).
func (m *Fs) IsFile(p string) bool {
	if p == "" {
		return false
	}
	fi, ok := m.stat(p)
	return ok && fi.Mode().IsRegular()
}

// IsDir reports whether p is a directory inside the Fs ("" is not).
func (m *Fs) IsDir(p string) bool {
	if p == "" {
		return false
	}
	fi, ok := m.stat(p)
	return ok && fi.IsDir()
}

func (m *Fs) stat(p string) (os.FileInfo, bool) {
	full, err := m.resolve(p)
	if err != nil {
		return nil, false
	}
	fi, err := os.Stat(full)
	return fi, err == nil
}

// List returns the entries of directory p, sorted by name, as
// []fs.DirEntry (Result.Value).
func (m *Fs) List(p string) Result {
	full, err := m.resolve(p)
	if err != nil {
		return fail(err)
	}
	return Result{}.New(os.ReadDir(full))
}

// Stat returns the fs.FileInfo of p (Result.Value), following symlinks.
func (m *Fs) Stat(p string) Result {
	full, err := m.resolve(p)
	if err != nil {
		return fail(err)
	}
	return Result{}.New(os.Stat(full))
}

// Delete removes file or empty directory p. In a sandbox a symlink inside
// the root is followed: its target is removed. "/" and $HOME are refused;
// the sandbox root itself is not protected.
func (m *Fs) Delete(p string) Result {
	full, err := m.resolve(p)
	if err != nil {
		return fail(err)
	}
	if protected(full) {
		return fail(E("fs.Delete", "refusing to delete protected path: "+full, nil))
	}
	if err := os.Remove(full); err != nil {
		return fail(err)
	}
	return Result{OK: true}
}

// DeleteAll removes p and everything below it (a missing p is fine). "/"
// and $HOME are refused; the sandbox root itself is not protected.
func (m *Fs) DeleteAll(p string) Result {
	full, err := m.resolve(p)
	if err != nil {
		return fail(err)
	}
	if protected(full) {
		return fail(E("fs.DeleteAll", "refusing to delete protected path: "+full, nil))
	}
	if err := os.RemoveAll(full); err != nil {
		return fail(err)
	}
	return Result{OK: true}
}

// protected reports whether full is "/" or the user's home directory.
func protected(full string) bool {
	return full == "/" || full == os.Getenv("HOME")
}

// Rename moves oldPath to newPath (both inside the Fs), replacing a file
// at newPath.
func (m *Fs) Rename(oldPath, newPath string) Result {
	from, err := m.resolve(oldPath)
	if err != nil {
		return fail(err)
	}
	to, err := m.resolve(newPath)
	if err != nil {
		return fail(err)
	}
	if err := os.Rename(from, to); err != nil {
		return fail(err)
	}
	return Result{OK: true}
}
