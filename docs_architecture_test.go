package process

import (
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docs/architecture.md keeps up with the code: every file it names
// exists, and every name in its code spans is a word of the module's
// source.

// moduleWords returns the identifiers of the module's Go code and the
// words of its string literals (comments are not code), with the words
// of its go.mod files and CI script. This file is left out: it names
// stale words on purpose.
func moduleWords(t *testing.T) map[string]bool {
	t.Helper()
	words := map[string]bool{}
	word := regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	addWords := func(text []byte) {
		for _, w := range word.FindAll(text, -1) {
			words[string(w)] = true
		}
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != "." && strings.HasPrefix(d.Name(), ".") && d.Name() != ".ci":
			return filepath.SkipDir
		case d.IsDir() || path == "docs_architecture_test.go":
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(path, ".go"):
			var sc scanner.Scanner
			sc.Init(token.NewFileSet().AddFile(path, -1, len(data)), data, nil, 0)
			for {
				_, tok, lit := sc.Scan()
				if tok == token.EOF {
					break
				}
				if tok == token.IDENT || tok == token.STRING || tok == token.CHAR {
					addWords([]byte(lit))
				}
			}
		case d.Name() == "go.mod" || path == filepath.Join(".ci", "run"):
			addWords(data)
		}
		return nil
	})
	require.NoError(t, err)
	return words
}

// docPathLike matches a code span that names files: a Go file or a
// pattern of them, or a path in the repository.
var docPathLike = regexp.MustCompile(`^(\.ci/|internal/|[\w*]+\.go$)`)

// missingFromCode returns the code spans of doc that name a file that
// does not exist or a word that no source holds.
func missingFromCode(t *testing.T, doc string, words map[string]bool) []string {
	t.Helper()
	var missing []string
	word := regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	for _, m := range regexp.MustCompile("`([^`\n]+)`").FindAllStringSubmatch(doc, -1) {
		span := m[1]
		if docPathLike.MatchString(span) && !strings.Contains(span, " ") {
			if !pathExists(span) {
				missing = append(missing, span+" (no such file)")
			}
			continue
		}
		for _, w := range word.FindAllString(span, -1) {
			if len(w) > 1 && !words[w] {
				missing = append(missing, span+" ("+w+")")
			}
		}
	}
	return missing
}

// pathExists reports whether the file pattern p matches a file, or, for
// a package path with a name after it (internal/output.Packer), whether
// the package exists.
func pathExists(p string) bool {
	if matches, _ := filepath.Glob(strings.TrimSuffix(p, "/")); len(matches) > 0 {
		return true
	}
	if dir, _, found := strings.Cut(p, "."); found && !strings.HasSuffix(p, ".go") {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return true
		}
	}
	return false
}

func TestDocs_Architecture_NamesOnlyWhatTheCodeHas(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("docs/architecture.md")
	require.NoError(t, err)
	assert.Empty(t, missingFromCode(t, string(doc), moduleWords(t)), "code names in docs/architecture.md that the module does not have")
}

func TestDocs_Architecture_CheckCatchesAStaleName(t *testing.T) {
	t.Parallel()
	words := moduleWords(t)
	got := missingFromCode(t, "asked with `waitid` and `WNOWAIT`; see `nosuch.go`, `internal/nosuch` and `Service.Start`", words)
	assert.Equal(t, []string{"waitid (waitid)", "WNOWAIT (WNOWAIT)", "nosuch.go (no such file)", "internal/nosuch (no such file)"}, got)
}
