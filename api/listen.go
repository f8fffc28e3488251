package api

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// maxSocketPath is the longest path a unix socket can be bound at
// (sun_path holds 108 bytes, the terminating NUL included).
const maxSocketPath = 107

// probeTimeout bounds the connect that tells a live socket from a stale
// one.
const probeTimeout = time.Second

// ListenUnix listens on a unix socket at path, whose file has mode 0600
// from the moment it appears there, whatever the umask: it is bound in a
// new directory of mode 0700 beside path, made 0600, and then linked
// into place. (Where that directory's socket path would be too long for a
// socket, it is bound at path itself and made 0600 at once; the umask
// then bounds its mode for that instant.) A socket file at path that
// nobody answers on (left by a server that died) is replaced; one that a
// live server answers on is refused, as is a path that exists and is not
// a socket. Closing the listener removes the socket file, unless another
// has replaced it since.
func ListenUnix(path string) (net.Listener, error) {
	if path == "" {
		return nil, errors.New("api: listen unix: empty path")
	}
	dir := filepath.Dir(path)
	if err := checkSocketDir(dir); err != nil {
		return nil, fmt.Errorf("api: listen unix %s: %w", path, err)
	}
	if err := clearStaleSocket(path); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(dir, ".gp")
	if err != nil {
		return nil, fmt.Errorf("api: listen unix %s: %w", path, err)
	}
	defer os.RemoveAll(tmp)
	bindAt := filepath.Join(tmp, "s")
	direct := len(bindAt) > maxSocketPath
	if direct {
		bindAt = path
	}
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: bindAt, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("api: listen unix %s: %w", path, err)
	}
	ul.SetUnlinkOnClose(false) // the file is moved: unixListener.Close removes it
	fail := func(err error) (net.Listener, error) {
		_ = ul.Close()
		_ = os.Remove(bindAt)
		return nil, fmt.Errorf("api: listen unix %s: %w", path, err)
	}
	if err := os.Chmod(bindAt, 0o600); err != nil {
		return fail(err)
	}
	if !direct {
		if err := place(bindAt, path); err != nil {
			return fail(err)
		}
	}
	st, err := os.Lstat(path)
	if err != nil {
		_ = ul.Close()
		return nil, fmt.Errorf("api: listen unix %s: %w", path, err)
	}
	return &unixListener{UnixListener: ul, path: path, file: st}, nil
}

// checkSocketDir refuses a directory whose entries anyone could remove or
// replace: one that everyone may write to and that has no sticky bit.
func checkSocketDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o002 != 0 && st.Mode()&fs.ModeSticky == 0 {
		return fmt.Errorf("refusing the directory %s: everyone may write to it (mode %s, no sticky bit), so anyone could replace the socket; choose another directory", dir, st.Mode().Perm())
	}
	return nil
}

// clearStaleSocket removes a socket file at path that nobody answers on,
// and refuses a live one or a file that is not a socket.
func clearStaleSocket(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("api: listen unix %s: %w", path, err)
	}
	if st.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("api: listen unix %s: the path exists and is not a socket (%s)", path, st.Mode().Type())
	}
	conn, err := net.DialTimeout("unix", path, probeTimeout)
	if err == nil {
		_ = conn.Close()
		return fmt.Errorf("api: listen unix %s: a server is already listening there", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("api: listen unix %s: cannot tell whether the socket is in use: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("api: listen unix %s: remove the stale socket: %w", path, err)
	}
	return nil
}

// place puts the socket file made at from at path: a hard link, which
// fails rather than replace a file that appeared at path since the check,
// or a rename where the file system has no hard links.
func place(from, path string) error {
	err := os.Link(from, path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("another socket appeared at the path meanwhile: %w", err)
	}
	return os.Rename(from, path)
}

// unixListener is the listener of ListenUnix: it reports path as its
// address and removes its socket file when closed.
type unixListener struct {
	*net.UnixListener
	path string
	file os.FileInfo // the socket file it made, to tell it from a successor
	once sync.Once
	err  error
}

// Addr is the socket's path, as a unix address.
func (l *unixListener) Addr() net.Addr {
	return &net.UnixAddr{Name: l.path, Net: "unix"}
}

// Close stops listening and removes the socket file, if it is still the
// one this listener made. Closing again returns the first result.
func (l *unixListener) Close() error {
	l.once.Do(func() {
		l.err = l.UnixListener.Close()
		if st, err := os.Lstat(l.path); err == nil && os.SameFile(st, l.file) {
			_ = os.Remove(l.path)
		}
	})
	return l.err
}
