package core

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sandbox returns a root directory (inside a parent that also holds an
// "outside" directory with a secret file) and an Fs sandboxed to it.
func sandbox(t *testing.T) (root, outside string, m *Fs) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "root")
	outside = filepath.Join(base, "outside")
	for _, d := range []string{root, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "secret"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, outside, (&Fs{}).New(root)
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func wantEscape(t *testing.T, what string, r Result) {
	t.Helper()
	if r.OK {
		t.Fatalf("%s: escaped the sandbox", what)
	}
	err, ok := r.Value.(error)
	if !ok || !strings.Contains(err.Error(), "sandbox escape") {
		t.Fatalf("%s: Value = %v, want a sandbox escape error", what, r.Value)
	}
}

func TestFs_Sandbox_DotDotStaysInsideRoot(t *testing.T) {
	root, _, m := sandbox(t)
	if r := m.Read("../secret"); r.OK {
		t.Fatal("../secret read a file outside the root")
	}
	if r := m.Write("../../escaped", "x"); !r.OK {
		t.Fatalf("Write(../../escaped) = %+v (should be clamped inside root)", r)
	}
	if _, err := os.Stat(filepath.Join(root, "escaped")); err != nil {
		t.Fatal("a path with .. must be clamped to the root")
	}
	if r := m.Read("/escaped"); !r.OK || r.Value != "x" {
		t.Fatalf("absolute paths are relative to the root: %+v", r)
	}
}

func TestFs_Sandbox_SymlinkOutsideRefusedForReadsAndWrites(t *testing.T) {
	root, outside, m := sandbox(t)
	mustSymlink(t, outside, filepath.Join(root, "dirlink"))                        // dir link
	mustSymlink(t, filepath.Join(outside, "secret"), filepath.Join(root, "flink")) // file link
	mustSymlink(t, filepath.Join(outside, "new"), filepath.Join(root, "dangling")) // dangling link
	mustSymlink(t, "../outside", filepath.Join(root, "rel"))                       // relative link
	mustSymlink(t, "dirlink", filepath.Join(root, "chain"))                        // link to a link

	for _, p := range []string{"dirlink/secret", "flink", "rel/secret", "chain/secret"} {
		wantEscape(t, "Read "+p, m.Read(p))
		wantEscape(t, "Stat "+p, m.Stat(p))
		if m.Exists(p) || m.IsFile(p) {
			t.Fatalf("Exists/IsFile(%s) saw outside the root", p)
		}
	}
	for _, p := range []string{"dirlink/new", "flink", "dangling", "rel/new", "chain/sub/new"} {
		wantEscape(t, "Write "+p, m.Write(p, "pwned"))
		wantEscape(t, "WriteAtomic "+p, m.WriteAtomic(p, "pwned"))
		wantEscape(t, "WriteMode "+p, m.WriteMode(p, "pwned", 0o600))
	}
	wantEscape(t, "EnsureDir", m.EnsureDir("dirlink/newdir"))
	wantEscape(t, "List", m.List("dirlink"))
	wantEscape(t, "Delete", m.Delete("dirlink/secret"))
	wantEscape(t, "DeleteAll", m.DeleteAll("chain/secret"))
	wantEscape(t, "Rename from", m.Rename("dirlink/secret", "stolen"))
	m.Write("mine", "x")
	wantEscape(t, "Rename to", m.Rename("mine", "dirlink/planted"))

	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 {
		t.Fatalf("outside directory was modified: %d entries", len(entries))
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "secret" {
		t.Fatal("outside secret modified")
	}
}

func TestFs_Sandbox_SymlinkInsideRootWorks(t *testing.T) {
	root, _, m := sandbox(t)
	if r := m.Write("real/file", "content"); !r.OK {
		t.Fatal(r.Value)
	}
	mustSymlink(t, filepath.Join(root, "real"), filepath.Join(root, "alias"))
	if r := m.Read("alias/file"); !r.OK || r.Value != "content" {
		t.Fatalf("Read through an inside link = %+v", r)
	}
	if r := m.WriteAtomic("alias/file", "new"); !r.OK {
		t.Fatal(r.Value)
	}
	if r := m.Read("real/file"); r.Value != "new" {
		t.Fatalf("write through an inside link did not reach the target: %+v", r)
	}
}

func TestFs_SandboxedRootSymlinkIsResolved(t *testing.T) {
	root, _, _ := sandbox(t)
	link := filepath.Join(t.TempDir(), "rootlink")
	mustSymlink(t, root, link)
	m := (&Fs{}).New(link)
	if m.Root() != link {
		t.Fatalf("Root() = %q", m.Root())
	}
	if r := m.Write("a", "1"); !r.OK {
		t.Fatal(r.Value)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "a")); string(b) != "1" {
		t.Fatal("write through a symlinked root did not land in the root")
	}
}

func TestFs_Operations(t *testing.T) {
	root, _, m := sandbox(t)
	if m.Root() != root {
		t.Fatalf("Root() = %q", m.Root())
	}
	if r := m.Write("a/b/c.txt", "hello"); !r.OK {
		t.Fatal(r.Value)
	}
	if !m.Exists("a/b/c.txt") || !m.IsFile("a/b/c.txt") || m.IsDir("a/b/c.txt") || !m.IsDir("a/b") || m.IsFile("a") {
		t.Fatal("Exists/IsFile/IsDir mismatch")
	}
	if m.Exists("nope") || m.IsFile("") || m.IsDir("") {
		t.Fatal("missing paths must not exist")
	}
	if !m.Exists("") {
		t.Fatal(`Exists("") is the root, which exists`)
	}
	if r := m.Read("a/b/c.txt"); !r.OK || r.Value != "hello" {
		t.Fatalf("Read = %+v", r)
	}
	if r := m.Read("missing"); r.OK || !strings.Contains(r.Value.(error).Error(), "missing") {
		t.Fatalf("Read(missing) = %+v", r)
	}
	if r := m.WriteMode("secret", "s", 0o600); !r.OK {
		t.Fatal(r.Value)
	}
	if fi := m.Stat("secret").Value.(fs.FileInfo); fi.Mode().Perm() != 0o600 || fi.Size() != 1 {
		t.Fatalf("Stat(secret) mode %v size %d", fi.Mode(), fi.Size())
	}
	if r := m.EnsureDir("x/y"); !r.OK || !m.IsDir("x/y") {
		t.Fatal("EnsureDir failed")
	}
	if !m.EnsureDir("x/y").OK {
		t.Fatal("EnsureDir on an existing dir must succeed")
	}
	r := m.List("a/b")
	entries, ok := r.Value.([]fs.DirEntry)
	if !r.OK || !ok || len(entries) != 1 || entries[0].Name() != "c.txt" {
		t.Fatalf("List = %+v", r)
	}
	if r := m.Rename("a/b/c.txt", "moved.txt"); !r.OK || m.Exists("a/b/c.txt") || m.Read("moved.txt").Value != "hello" {
		t.Fatalf("Rename = %+v", r)
	}
	if r := m.Delete("moved.txt"); !r.OK || m.Exists("moved.txt") {
		t.Fatalf("Delete = %+v", r)
	}
	if m.Delete("moved.txt").OK {
		t.Fatal("deleting a missing file must fail")
	}
	if r := m.DeleteAll("a"); !r.OK || m.Exists("a") {
		t.Fatalf("DeleteAll = %+v", r)
	}
	if m.Read("bad\x00path").OK {
		t.Fatal("a NUL byte must be refused")
	}
}

func TestFs_New_ReRootsTheReceiver(t *testing.T) {
	c := New()
	fs0 := c.Fs()
	dir := t.TempDir()
	if got := fs0.New(dir); got != fs0 {
		t.Fatal("New must return its receiver")
	}
	if c.Fs() != fs0 || c.Fs().Root() != dir {
		t.Fatalf("c.Fs().New(dir) must re-root the Core's own Fs: Root() = %q", c.Fs().Root())
	}
	if r := c.Fs().Write("/f", "v"); !r.OK {
		t.Fatal(r.Value)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "v" {
		t.Fatal("the re-rooted Core Fs did not write inside its new root")
	}
	if c.Fs().New("").Root() != "/" {
		t.Fatal(`New("") must mean unrestricted`)
	}
	a, b := (&Fs{}).New(dir), (&Fs{}).New("/")
	if a == b || a.Root() != dir || b.Root() != "/" {
		t.Fatal("(&Fs{}).New(root) must make independent values")
	}
	if u := a.NewUnrestricted(); u == a || u.Root() != "/" || a.Root() != dir {
		t.Fatal("NewUnrestricted must return a new Fs and leave its receiver alone")
	}
}

func TestFs_RelativeRootFollowsTheWorkingDirectory(t *testing.T) {
	one, two := t.TempDir(), t.TempDir()
	for _, d := range []string{one, two} {
		if err := os.WriteFile(filepath.Join(d, "f"), []byte(d), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := (&Fs{}).New(".")
	t.Chdir(one)
	if r := m.Read("f"); r.Value != one {
		t.Fatalf("Read = %+v, want the file in %s", r, one)
	}
	t.Chdir(two)
	if r := m.Read("/f"); r.Value != two {
		t.Fatalf("Read = %+v, want the file in %s", r, two)
	}
}

func TestFs_FailuresCarryTheOSError(t *testing.T) {
	_, _, m := sandbox(t)
	for name, r := range map[string]Result{
		"Read":   m.Read("missing"),
		"Stat":   m.Stat("missing"),
		"List":   m.List("missing"),
		"Delete": m.Delete("missing"),
		"Rename": m.Rename("missing", "x"),
	} {
		var pe *fs.PathError
		var le *os.LinkError
		err, _ := r.Value.(error)
		if r.OK || err == nil || !(errors.As(err, &pe) || errors.As(err, &le)) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s = %+v, want the os package's error", name, r)
		}
		if _, isErr := r.Value.(*Err); isErr {
			t.Errorf("%s wrapped the OS error in an *Err", name)
		}
	}
	r := m.Read("../../x/../../etc")
	if r.OK {
		t.Fatal("read outside")
	}
}

func TestFs_DeleteProtectsSlashAndHomeNotTheSandboxRoot(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	u := (&Fs{}).New("/")
	for name, r := range map[string]Result{
		"Delete(/)":       u.Delete("/"),
		"DeleteAll(/)":    u.DeleteAll("/"),
		"DeleteAll(home)": u.DeleteAll(home),
		"Delete(home)":    u.Delete(home),
	} {
		if r.OK || !strings.Contains(r.Value.(error).Error(), "refusing to delete protected path") {
			t.Errorf("%s = %+v, want a refusal", name, r)
		}
	}
	if _, err := os.Stat(home); err != nil {
		t.Fatal("home removed")
	}

	root, _, m := sandbox(t)
	m.Write("a/b", "x")
	if r := m.DeleteAll("/"); !r.OK {
		t.Fatalf("DeleteAll of the sandbox root = %+v; the real framework allows it", r)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Fatal("the sandbox root was not removed")
	}
}

func TestFs_Sandbox_SymlinkInsideIsFollowedByDeleteAndRename(t *testing.T) {
	root, _, m := sandbox(t)
	m.Write("real", "content")
	mustSymlink(t, filepath.Join(root, "real"), filepath.Join(root, "alias"))
	if r := m.Delete("alias"); !r.OK {
		t.Fatal(r.Value)
	}
	if _, err := os.Lstat(filepath.Join(root, "real")); !os.IsNotExist(err) {
		t.Fatal("Delete through an inside link must remove the link's target")
	}
	if _, err := os.Lstat(filepath.Join(root, "alias")); err != nil {
		t.Fatal("the link itself must be left (now dangling)")
	}
	// A dangling link is not followed: the link itself is removed.
	if r := m.Delete("alias"); !r.OK {
		t.Fatal(r.Value)
	}
	if _, err := os.Lstat(filepath.Join(root, "alias")); !os.IsNotExist(err) {
		t.Fatal("Delete of a dangling link must remove the link")
	}

	m.Write("real2", "v")
	mustSymlink(t, filepath.Join(root, "real2"), filepath.Join(root, "alias2"))
	if r := m.Rename("alias2", "moved"); !r.OK {
		t.Fatal(r.Value)
	}
	if fi, err := os.Lstat(filepath.Join(root, "moved")); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		t.Fatal("Rename through an inside link must move the link's target")
	}
}

func TestFs_UnrestrictedAndCoreAccessor(t *testing.T) {
	c := New()
	if c.Fs() == nil || c.Fs().Root() != "/" {
		t.Fatal("c.Fs() must start unrestricted")
	}
	dir := t.TempDir()
	abs := filepath.Join(dir, "f")
	if r := c.Fs().Write(abs, "v"); !r.OK || c.Fs().Read(abs).Value != "v" {
		t.Fatal("unrestricted Fs must take absolute paths as they are")
	}
	t.Chdir(dir)
	if r := c.Fs().Read("f"); r.Value != "v" {
		t.Fatal("unrestricted Fs must take relative paths from the working directory")
	}
	if !c.Fs().Exists("") {
		t.Fatal(`unrestricted Exists("") is "/", which exists`)
	}
	var zero Fs
	if zero.Root() != "/" || !zero.Exists(abs) {
		t.Fatal("zero Fs must be unrestricted")
	}
	sub := (&Fs{}).New(dir)
	if r := sub.Read("f"); r.Value != "v" {
		t.Fatal("sandboxed Fs must read relative to its root")
	}
	var nilFs *Fs
	if !panics(func() { nilFs.Root() }) {
		t.Fatal("methods of a nil *Fs panic in the real framework")
	}
}

func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp.") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestFs_WriteAtomic_ConcurrentReaderSeesOldOrNew(t *testing.T) {
	root, _, m := sandbox(t)
	a := bytes.Repeat([]byte("A"), 256<<10)
	b := bytes.Repeat([]byte("B"), 100<<10)
	if r := m.WriteAtomic("status", string(a)); !r.OK {
		t.Fatal(r.Value)
	}
	target := filepath.Join(root, "status")
	stop := make(chan struct{})
	readerDone := make(chan error, 1)
	reads := 0
	go func() {
		for {
			select {
			case <-stop:
				readerDone <- nil
				return
			default:
			}
			got, err := os.ReadFile(target)
			if err != nil {
				readerDone <- err
				return
			}
			reads++
			if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
				readerDone <- &Err{Operation: "reader", Message: "saw a mixed or partial file of " + sprint(len(got)) + " bytes"}
				return
			}
		}
	}()
	for i := range 200 {
		content := a
		if i%2 == 0 {
			content = b
		}
		if r := m.WriteAtomic("status", string(content)); !r.OK {
			close(stop)
			t.Fatal(r.Value)
		}
	}
	close(stop)
	if err := <-readerDone; err != nil {
		t.Fatal(err)
	}
	t.Logf("reader checked %d snapshots", reads)
	if left := tempFiles(t, root); len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

func TestFs_WriteAtomic_FailureLeavesNoTempFile(t *testing.T) {
	root, _, m := sandbox(t)
	if r := m.EnsureDir("target/child"); !r.OK {
		t.Fatal(r.Value)
	}
	r := m.WriteAtomic("target", "content")
	if r.OK {
		t.Fatal("WriteAtomic over a directory must fail")
	}
	if err, ok := r.Value.(error); !ok || !strings.Contains(err.Error(), "target") {
		t.Fatalf("error must name the path: %v", r.Value)
	}
	if left := tempFiles(t, root); len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
	if !m.IsDir("target/child") {
		t.Fatal("the directory was damaged")
	}
}

func TestFs_WriteAtomic_Mode0644AndCreatesParents(t *testing.T) {
	root, _, m := sandbox(t)
	probe := filepath.Join(t.TempDir(), "probe")
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(probe)
	if err != nil {
		t.Fatal(err)
	}
	want := fi.Mode().Perm() // 0644 less the umask
	if r := m.WriteAtomic("deep/er/file", "one"); !r.OK {
		t.Fatal(r.Value)
	}
	if fi := m.Stat("deep/er/file").Value.(fs.FileInfo); fi.Mode().Perm() != want {
		t.Fatalf("new file mode = %v, want %v", fi.Mode(), want)
	}
	m.WriteMode("secret", "x", 0o600)
	m.WriteAtomic("secret", "y")
	if fi := m.Stat("secret").Value.(fs.FileInfo); fi.Mode().Perm() != want {
		t.Fatalf("WriteAtomic over a 0600 file gave %v, want %v (a new file's mode, as the real framework)", fi.Mode(), want)
	}
	names, _ := os.ReadDir(filepath.Join(root, "deep", "er"))
	if len(names) != 1 || !slices.ContainsFunc(names, func(e os.DirEntry) bool { return e.Name() == "file" }) {
		t.Fatalf("unexpected entries %v", names)
	}
}

func TestFs_WriteAtomic_SyncsFileBeforeRenameAndDirAfter(t *testing.T) {
	root, _, m := sandbox(t)
	m.Write("f", "old")
	target := filepath.Join(root, "f")
	var steps []string
	origFile, origDir := fsyncFile, fsyncDir
	t.Cleanup(func() { fsyncFile, fsyncDir = origFile, origDir })
	fsyncFile = func(f *os.File) error {
		b, _ := os.ReadFile(target)
		steps = append(steps, "file-sync(target="+string(b)+",tmp-in-dir="+sprint(filepath.Dir(f.Name()) == root)+")")
		return origFile(f)
	}
	fsyncDir = func(dir string) error {
		b, _ := os.ReadFile(target)
		steps = append(steps, "dir-sync(target="+string(b)+",dir-is-parent="+sprint(dir == root || dir == root+"/")+")")
		return origDir(dir)
	}
	if r := m.WriteAtomic("f", "new"); !r.OK {
		t.Fatal(r.Value)
	}
	want := []string{"file-sync(target=old,tmp-in-dir=true)", "dir-sync(target=new,dir-is-parent=true)"}
	if !slices.Equal(steps, want) {
		t.Fatalf("steps = %v, want %v", steps, want)
	}
}
