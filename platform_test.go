package process

import (
	"errors"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Elsewhere than Linux the package builds (.ci/run cross-builds it for
// windows and darwin) and a start fails with a clear, matchable error.
func TestPlatformError_OnlyLinuxRunsProcesses(t *testing.T) {
	t.Parallel()
	assert.NoError(t, platformError("linux"))
	for _, goos := range []string{"windows", "darwin", "freebsd"} {
		err := platformError(goos)
		assert.ErrorIs(t, err, errors.ErrUnsupported, goos)
		assert.EqualError(t, err, "running processes needs Linux 5.4 or later, not "+goos+": unsupported operation")
	}
	assert.Equal(t, runtime.GOOS == "linux", platformError(runtime.GOOS) == nil)
}
