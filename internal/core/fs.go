package core

import (
	"os"
	"path/filepath"
	"strings"
)

// Fs is local filesystem access, optionally sandboxed to a root
// directory. In a sandboxed Fs every path — absolute or relative — is
// taken relative to the root, ".." cannot climb above it, and a path that
// resolves outside the root through a symlink (at any depth, dangling or
// not) is refused, for reads and writes alike. The zero Fs, and one rooted
// at "/", is unrestricted: relative paths are relative to the working
// directory.
type Fs struct {
	root     string // as given to New ("/" when unrestricted)
	resolved string // root with symlinks resolved, used for the sandbox check
}

// New returns an Fs rooted at root: "" or "/" means unrestricted,
// anything else sandboxes every operation of the returned Fs to root (made
// absolute, with symlinks in it resolved once, now). The receiver is only
// a namespace and is left unchanged, so (&Fs{}).New(root) and
// c.Fs().New(root) are equivalent and c's own Fs stays as it was.
func (*Fs) New(root string) *Fs {
	m := &Fs{}
	if root == "" {
		root = "/"
	}
	m.root = root
	m.resolved = "/"
	if root != "/" {
		abs, err := filepath.Abs(root)
		if err != nil {
			abs = filepath.Clean(root)
		}
		if r, err := filepath.EvalSymlinks(abs); err == nil {
			abs = r
		}
		m.resolved = abs
	}
	return m
}

// NewUnrestricted returns a new Fs rooted at "/" (no sandbox).
func (m *Fs) NewUnrestricted() *Fs {
	return (&Fs{}).New("/")
}

// Root returns the root given to New ("/" when unrestricted).
func (m *Fs) Root() string {
	if m == nil || m.root == "" {
		return "/"
	}
	return m.root
}

// fsPath is a validated path: link is the path with every directory
// resolved but the last element as named (use it to act on a symlink
// itself: delete, rename); target is the path fully resolved (use it to
// act on what the path refers to: read, write, stat).
type fsPath struct {
	link, target string
}

// sandboxed reports whether m restricts paths to a root.
func (m *Fs) sandboxed() bool {
	return m != nil && m.resolved != "" && m.resolved != "/"
}

// resolve maps p to a validated fsPath, or an *Err naming p when it
// resolves outside the sandbox or cannot be resolved.
func (m *Fs) resolve(op, p string) (fsPath, error) {
	if strings.IndexByte(p, 0) >= 0 {
		return fsPath{}, E(op, "path "+quote(p)+" contains a NUL byte", nil)
	}
	if !m.sandboxed() {
		full := p
		if full == "" {
			full = "/"
		}
		if !filepath.IsAbs(full) {
			if abs, err := filepath.Abs(full); err == nil {
				full = abs
			}
		}
		full = filepath.Clean(full)
		return fsPath{link: full, target: full}, nil
	}
	root := m.resolved
	lexical := filepath.Join(root, filepath.Clean("/" + p)[1:])
	if lexical == root {
		return fsPath{link: root, target: root}, nil
	}
	parent, err := resolveDeep(filepath.Dir(lexical), 0)
	if err != nil {
		return fsPath{}, E(op, "cannot resolve "+quote(p), err)
	}
	if !within(root, parent) {
		return fsPath{}, E(op, "sandbox escape: "+quote(p)+" resolves outside "+quote(m.root), nil)
	}
	link := filepath.Join(parent, filepath.Base(lexical))
	target, err := resolveDeep(link, 0)
	if err != nil {
		return fsPath{}, E(op, "cannot resolve "+quote(p), err)
	}
	if !within(root, target) {
		return fsPath{}, E(op, "sandbox escape: "+quote(p)+" resolves outside "+quote(m.root), nil)
	}
	return fsPath{link: link, target: target}, nil
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

// fail wraps err as a failed Result under op, naming p.
func fsFail(op, what, p string, err error) Result {
	return Result{Value: E(op, what+" "+quote(p), err), OK: false}
}

// Read returns the content of file p as a string (Result.Value).
func (m *Fs) Read(p string) Result {
	const op = "fs.Read"
	fp, err := m.resolve(op, p)
	if err != nil {
		return Result{Value: err, OK: false}
	}
	b, err := os.ReadFile(fp.target)
	if err != nil {
		return fsFail(op, "cannot read", p, err)
	}
	return Result{Value: string(b), OK: true}
}

// Write writes content to file p with mode 0644, creating missing parent
// directories (0755). It is not atomic; see WriteAtomic.
func (m *Fs) Write(p, content string) Result {
	return m.WriteMode(p, content, 0o644)
}

// WriteMode is Write with an explicit mode for a newly created file (use
// 0600 for secrets).
func (m *Fs) WriteMode(p, content string, mode os.FileMode) Result {
	const op = "fs.WriteMode"
	fp, err := m.resolve(op, p)
	if err != nil {
		return Result{Value: err, OK: false}
	}
	if err := os.MkdirAll(filepath.Dir(fp.target), 0o755); err != nil {
		return fsFail(op, "cannot create the directory of", p, err)
	}
	if err := os.WriteFile(fp.target, []byte(content), mode); err != nil {
		return fsFail(op, "cannot write", p, err)
	}
	return Result{OK: true}
}

// WriteAtomic replaces file p with content so that a concurrent reader
// sees either the old or the new content, never a mix: it writes a
// temporary file beside the target, fsyncs it, renames it over the target
// and fsyncs the directory, so the new content also survives a crash.
// Missing parent directories are created. The temporary file never
// outlives the call. A new file gets mode 0644; an existing file keeps its
// permission bits.
func (m *Fs) WriteAtomic(p, content string) Result {
	const op = "fs.WriteAtomic"
	fp, err := m.resolve(op, p)
	if err != nil {
		return Result{Value: err, OK: false}
	}
	dir, base := filepath.Split(fp.target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fsFail(op, "cannot create the directory of", p, err)
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(fp.target); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fsFail(op, "cannot create a temporary file for", p, err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	if _, err := tmp.WriteString(content); err != nil {
		return fsFail(op, "cannot write the temporary file for", p, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fsFail(op, "cannot set the mode of the temporary file for", p, err)
	}
	if err := fsyncFile(tmp); err != nil {
		return fsFail(op, "cannot sync the temporary file for", p, err)
	}
	if err := tmp.Close(); err != nil {
		return fsFail(op, "cannot close the temporary file for", p, err)
	}
	if err := os.Rename(tmpName, fp.target); err != nil {
		return fsFail(op, "cannot rename the temporary file over", p, err)
	}
	ok = true
	if err := fsyncDir(dir); err != nil {
		return fsFail(op, "wrote but cannot sync the directory of", p, err)
	}
	return Result{OK: true}
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
	const op = "fs.EnsureDir"
	fp, err := m.resolve(op, p)
	if err != nil {
		return Result{Value: err, OK: false}
	}
	if err := os.MkdirAll(fp.target, 0o755); err != nil {
		return fsFail(op, "cannot create directory", p, err)
	}
	return Result{OK: true}
}

// Exists reports whether p exists inside the Fs (false when it does not,
// cannot be checked, or is outside the sandbox).
func (m *Fs) Exists(p string) bool {
	_, ok := m.stat(p)
	return ok
}

// IsFile reports whether p is a regular file inside the Fs.
func (m *Fs) IsFile(p string) bool {
	fi, ok := m.stat(p)
	return ok && fi.Mode().IsRegular()
}

// IsDir reports whether p is a directory inside the Fs.
func (m *Fs) IsDir(p string) bool {
	fi, ok := m.stat(p)
	return ok && fi.IsDir()
}

func (m *Fs) stat(p string) (os.FileInfo, bool) {
	if p == "" {
		return nil, false
	}
	fp, err := m.resolve("fs.Stat", p)
	if err != nil {
		return nil, false
	}
	fi, err := os.Stat(fp.target)
	return fi, err == nil
}

// List returns the entries of directory p, sorted by name, as
// []fs.DirEntry (Result.Value).
func (m *Fs) List(p string) Result {
	const op = "fs.List"
	fp, err := m.resolve(op, p)
	if err != nil {
		return Result{Value: err, OK: false}
	}
	entries, err := os.ReadDir(fp.target)
	if err != nil {
		return fsFail(op, "cannot list", p, err)
	}
	return Result{Value: entries, OK: true}
}

// Stat returns the fs.FileInfo of p (Result.Value), following symlinks.
func (m *Fs) Stat(p string) Result {
	const op = "fs.Stat"
	fp, err := m.resolve(op, p)
	if err != nil {
		return Result{Value: err, OK: false}
	}
	fi, err := os.Stat(fp.target)
	if err != nil {
		return fsFail(op, "cannot stat", p, err)
	}
	return Result{Value: fi, OK: true}
}

// Delete removes file or empty directory p (a symlink itself, not its
// target). The root of the Fs cannot be deleted.
func (m *Fs) Delete(p string) Result {
	const op = "fs.Delete"
	fp, err := m.resolve(op, p)
	if err != nil {
		return Result{Value: err, OK: false}
	}
	if m.isRoot(fp.link) {
		return fsFail(op, "refusing to delete the root", p, nil)
	}
	if err := os.Remove(fp.link); err != nil {
		return fsFail(op, "cannot delete", p, err)
	}
	return Result{OK: true}
}

// DeleteAll removes p and everything below it (a missing p is fine). The
// root of the Fs cannot be deleted.
func (m *Fs) DeleteAll(p string) Result {
	const op = "fs.DeleteAll"
	fp, err := m.resolve(op, p)
	if err != nil {
		return Result{Value: err, OK: false}
	}
	if m.isRoot(fp.link) {
		return fsFail(op, "refusing to delete the root", p, nil)
	}
	if err := os.RemoveAll(fp.link); err != nil {
		return fsFail(op, "cannot delete", p, err)
	}
	return Result{OK: true}
}

// Rename moves oldPath to newPath (both inside the Fs), replacing a file
// at newPath.
func (m *Fs) Rename(oldPath, newPath string) Result {
	const op = "fs.Rename"
	from, err := m.resolve(op, oldPath)
	if err != nil {
		return Result{Value: err, OK: false}
	}
	to, err := m.resolve(op, newPath)
	if err != nil {
		return Result{Value: err, OK: false}
	}
	if m.isRoot(from.link) || m.isRoot(to.link) {
		return Result{Value: E(op, "refusing to rename the root: "+quote(oldPath)+" -> "+quote(newPath), nil), OK: false}
	}
	if err := os.Rename(from.link, to.link); err != nil {
		return Result{Value: E(op, "cannot rename "+quote(oldPath)+" to "+quote(newPath), err), OK: false}
	}
	return Result{OK: true}
}

// isRoot reports whether the resolved path p is the Fs's root (or "/").
func (m *Fs) isRoot(p string) bool {
	return p == "/" || (m.sandboxed() && p == m.resolved)
}
