package process

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProgram_Find_SetsPath(t *testing.T) {
	p := &Program{Name: "sh"}
	require.NoError(t, p.Find())
	assert.True(t, filepath.IsAbs(p.Path), "path %q", p.Path)
	info, err := os.Stat(p.Path)
	require.NoError(t, err)
	assert.NotZero(t, info.Mode()&0o111, "executable")
}

func TestProgram_Find_UnknownOrEmptyName_ErrProgramNotFound(t *testing.T) {
	for _, name := range []string{"", "no-such-program-go-process-test"} {
		p := &Program{Name: name}
		err := p.Find()
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrProgramNotFound)
		assert.Empty(t, p.Path)
		if name != "" {
			assert.Contains(t, err.Error(), name)
		}
	}
}

func TestProgram_Run_ReturnsTrimmedCombinedOutput(t *testing.T) {
	p := &Program{Name: "sh"}
	require.NoError(t, p.Find())
	out, err := p.Run(context.Background(), "-c", "echo '  out  '; echo err >&2")
	require.NoError(t, err)
	assert.Equal(t, "out  \nerr", out)
}

func TestProgram_RunDir_RunsInDir(t *testing.T) {
	dir := t.TempDir()
	p := &Program{Name: "pwd"}
	out, err := p.RunDir(context.Background(), dir)
	require.NoError(t, err)
	want, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	assert.Equal(t, want, out)
}

func TestProgram_Run_Failure_NamesTheCommandAndKeepsOutput(t *testing.T) {
	p := &Program{Name: "sh"}
	out, err := p.Run(context.Background(), "-c", "echo broken; exit 3")
	require.Error(t, err)
	assert.Equal(t, "broken", out)
	assert.Contains(t, err.Error(), "sh -c")
	assert.Contains(t, err.Error(), "broken")
}

func TestProgram_Run_NotFound_ErrProgramNotFound(t *testing.T) {
	p := &Program{Name: "no-such-program-go-process-test"}
	_, err := p.Run(context.Background())
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrProgramNotFound), "%v", err)
}
