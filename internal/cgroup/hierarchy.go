package cgroup

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Own returns the directory of this program's own cgroup in the cgroup v2
// hierarchy and its path as /proc/<pid>/cgroup shows it ("/" for the
// root). It reads /proc/self/mountinfo and /proc/self/cgroup: the hierarchy
// may be mounted anywhere (at /sys/fs/cgroup/unified on hybrid systems).
func Own() (dir, path string, err error) {
	path, err = ownPath()
	if err != nil {
		return "", "", err
	}
	mount, root, err := mountPoint()
	if err != nil {
		return "", "", err
	}
	rel, ok := strings.CutPrefix(path, root)
	if !ok || (rel != "" && root != "/" && rel[0] != '/') {
		return "", "", fmt.Errorf("%w: this program's cgroup %s is outside the mounted part %s", ErrUnavailable, path, root)
	}
	return filepath.Join(mount, rel), path, nil
}

// ownPath returns the "0::" line's path of /proc/self/cgroup.
func ownPath() (string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte("0::")); ok {
			return string(bytes.TrimSpace(rest)), nil
		}
	}
	return "", fmt.Errorf("%w: /proc/self/cgroup has no cgroup v2 entry", ErrUnavailable)
}

// mountPoint returns where the cgroup v2 hierarchy is mounted and which of
// its cgroups the mount shows at its top.
func mountPoint() (mount, root string, err error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - fstype source superoptions
		fields := strings.Fields(sc.Text())
		sep := indexOf(fields, "-")
		if sep < 5 || sep+1 >= len(fields) || fields[sep+1] != "cgroup2" {
			continue
		}
		return unescape(fields[4]), unescape(fields[3]), nil
	}
	if err := sc.Err(); err != nil {
		return "", "", fmt.Errorf("%w: reading mountinfo: %w", ErrUnavailable, err)
	}
	return "", "", fmt.Errorf("%w: no cgroup2 mount in /proc/self/mountinfo", ErrUnavailable)
}

func indexOf(fields []string, s string) int {
	for i, f := range fields {
		if f == s {
			return i
		}
	}
	return -1
}

// unescape undoes mountinfo's octal escapes (\040 for a space, …).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
