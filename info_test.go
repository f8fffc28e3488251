package process

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcessInfo_JSON_UsesTheDocumentedCamelCaseKeys(t *testing.T) {
	_, svc := newTestService(t, Options{})
	r := svc.RunWithOptions(t.Context(), RunOptions{Command: "sh", Args: []string{"-c", "exit 2"}})
	require.False(t, r.OK)
	p := svc.List()[0]

	data, err := json.Marshal(p.Info())
	require.NoError(t, err)
	var fields map[string]any
	require.NoError(t, json.Unmarshal(data, &fields))

	want := []string{"id", "command", "args", "dir", "startedAt", "running", "status",
		"exitCode", "signal", "duration", "pid", "pty", "containment", "cpu", "maxRss"}
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(fields)))
	assert.Equal(t, "exited", fields["status"])
	assert.Equal(t, float64(2), fields["exitCode"])
	assert.Equal(t, false, fields["running"])

	var back ProcessInfo
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, p.Info().ID, back.ID)
	assert.Equal(t, p.PID, back.PID)
}
