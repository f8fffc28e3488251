package process

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcess_OutputBytes_CopyOfOutput(t *testing.T) {
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "sh", Args: []string{"-c", "printf 'a\\nb'"}})
	waitDone(t, p, 30*time.Second)
	b := p.OutputBytes()
	assert.Equal(t, []byte("a\nb"), b)
	assert.Equal(t, p.Output(), string(b))
	b[0] = 'x'
	assert.Equal(t, "a\nb", p.Output(), "OutputBytes returns a copy")
}

func TestProcess_OutputBytes_NothingKept_Nil(t *testing.T) {
	_, svc := newTestService(t, Options{})
	p := startProcess(t, svc, RunOptions{Command: "echo", Args: []string{"x"}, DisableCapture: true})
	waitDone(t, p, 30*time.Second)
	assert.Nil(t, p.OutputBytes())
	p = startProcess(t, svc, RunOptions{Command: "true"})
	waitDone(t, p, 30*time.Second)
	assert.Nil(t, p.OutputBytes())
}

func TestInfo_IsProcessInfo(t *testing.T) {
	_, svc := newTestService(t, Options{})
	r := svc.RunWithOptions(context.Background(), RunOptions{Command: "true"})
	require.True(t, r.OK)
	var info Info = svc.List()[0].Info()
	assert.Equal(t, "true", info.Command)
	assert.Equal(t, StatusExited, info.Status)
}
