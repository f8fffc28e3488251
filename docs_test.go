package process

import (
	"context"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"

	core "dappco.re/go/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The action protocol is documented where a Go user looks (go doc) and in
// the README, and both keep up with the code: every registered action and
// every key it accepts is named in each.

// actionKeys asks action which keys it accepts: an unknown key is refused
// with the list of the known ones.
func actionKeys(t *testing.T, c *core.Core, action string) []string {
	t.Helper()
	var opts core.Options
	opts.Set("zzzzzzzz", true)
	r := c.Action(action).Run(context.Background(), opts)
	require.False(t, r.OK, "%s accepted an unknown key", action)
	msg := r.Value.(error).Error()
	if strings.HasSuffix(msg, "(it takes no options)") {
		return nil
	}
	m := regexp.MustCompile(`\(known options: ([^)]*)\)$`).FindStringSubmatch(msg)
	require.NotNil(t, m, "%s: %s", action, msg)
	return strings.Split(m[1], ", ")
}

// packageDoc returns the package documentation, as go doc shows it.
func packageDoc(t *testing.T) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	require.NotNil(t, f.Doc)
	return f.Doc.Text()
}

func TestDocs_EveryActionAndKeyDocumented(t *testing.T) {
	t.Parallel()
	c, _ := newTestService(t, Options{})
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	docs := map[string]string{"package doc": packageDoc(t), "README.md": string(readme)}

	actions := 0
	missing := map[string][]string{}
	for _, action := range c.Actions() {
		if !strings.HasPrefix(action, "process.") {
			continue
		}
		actions++
		keys := actionKeys(t, c, action)
		for where, text := range docs {
			if !strings.Contains(text, action) {
				missing[where] = append(missing[where], action)
			}
			for _, key := range keys {
				if !regexp.MustCompile(`\b` + regexp.QuoteMeta(key) + `\b`).MatchString(text) {
					missing[where] = append(missing[where], action+" "+key)
				}
			}
		}
	}
	assert.GreaterOrEqual(t, actions, 10)
	assert.Empty(t, missing, "actions and keys the documentation does not name")
}

func TestDocs_SelfContained_WithRecipeAndLicence(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for where, text := range map[string]string{"package doc": packageDoc(t), "README.md": string(readme)} {
		assert.NotContains(t, text, "DESIGN.md", where)
		assert.NotContains(t, text, "../shared", where)
	}
	for _, file := range []string{"LICENSE", "docs/architecture.md"} {
		info, err := os.Stat(file)
		if assert.NoError(t, err, "%s is in the repository", file) {
			assert.Positive(t, info.Size(), file)
		}
	}
	// Using the module from another one takes two replace directives, and
	// the first run's compile time is not hidden.
	assert.Contains(t, string(readme), "-replace=dappco.re/go/core/process=../go-process")
	assert.Contains(t, string(readme), "-replace=dappco.re/go/core=../go-process/internal/core")
	assert.Regexp(t, `The first time,\s+`+"`go run`"+`\s+compiles`, string(readme))

	license, err := os.ReadFile("LICENSE")
	require.NoError(t, err)
	assert.Contains(t, string(license), "EUROPEAN UNION PUBLIC LICENCE v. 1.2")
}
