package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParse_FlagsAnywhere_DoubleDashEndsThem(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		pos    []string
		follow bool
		socket string
	}{
		{[]string{"web"}, []string{"web"}, false, ""},
		{[]string{"-f", "web"}, []string{"web"}, true, ""},
		{[]string{"web", "-f", "--socket", "s"}, []string{"web"}, true, "s"},
		{[]string{"--socket=s", "web", "-f"}, []string{"web"}, true, "s"},
		{[]string{"--", "-f"}, []string{"-f"}, false, ""},
		{[]string{"a", "--", "-f", "b"}, []string{"a", "-f", "b"}, false, ""},
	} {
		fs := newFlagSet("logs", "logs", io.Discard)
		follow := fs.Bool("f", false, "")
		sock := socketFlag(fs)
		pos, status, done := parse(fs, tc.args)
		assert.False(t, done, tc.args)
		assert.Equal(t, exitOK, status)
		assert.Equal(t, tc.pos, pos, tc.args)
		assert.Equal(t, tc.follow, *follow, tc.args)
		assert.Equal(t, tc.socket, *sock, tc.args)
	}
	fs := newFlagSet("logs", "logs", io.Discard)
	_, status, done := parse(fs, []string{"--bogus"})
	assert.True(t, done)
	assert.Equal(t, exitUsage, status)
}

func TestSocketPath_Default(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	assert.Equal(t, "/run/user/1000/goprocess.sock", socketPath(""))
	assert.Equal(t, "x.sock", socketPath("x.sock"))
	t.Setenv("XDG_RUNTIME_DIR", "")
	assert.Equal(t, "goprocess.sock", socketPath(""))
}
