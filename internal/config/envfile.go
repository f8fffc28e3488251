package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// readEnvFile reads NAME=value lines from path: blank lines and lines
// starting with # are skipped, an "export " prefix is allowed, and a value
// may be quoted ('…' as is, "…" with Go escapes such as \n). A malformed
// line is an error naming the file and the line.
func readEnvFile(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("env file: %w", err)
	}
	return parseEnv(path, data)
}

// parseEnv parses the content of an env file named name.
func parseEnv(name string, data []byte) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, value, found := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !found || !validEnvName(key) {
			return nil, fmt.Errorf("%s:%d: want NAME=value, got %q", name, n, line)
		}
		v, err := unquote(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %v", name, n, key, err)
		}
		out = append(out, key+"="+v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("env file %s: %w", name, err)
	}
	return out, nil
}

// unquote removes the quotes around a value, if any.
func unquote(v string) (string, error) {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return v[1 : len(v)-1], nil
	}
	if len(v) >= 1 && v[0] == '"' {
		s, err := strconv.Unquote(v)
		if err != nil {
			return "", fmt.Errorf("bad double-quoted value %s", v)
		}
		return s, nil
	}
	return v, nil
}

// mergeEnv returns base with extra added: an entry of extra replaces the
// entry of base with the same name. The order is base's, then extra's new
// names.
func mergeEnv(base, extra []string) []string {
	if len(base) == 0 && len(extra) == 0 {
		return nil
	}
	index := map[string]int{}
	var out []string
	for _, list := range [][]string{base, extra} {
		for _, kv := range list {
			name, _, _ := strings.Cut(kv, "=")
			if i, ok := index[name]; ok {
				out[i] = kv
				continue
			}
			index[name] = len(out)
			out = append(out, kv)
		}
	}
	return out
}
