package process

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A child on a terminal writing "\r\n" reaches us as "\r\r\n" (the tty's
// ONLCR turns its "\n" into "\r\n"); that is one line ending, not a line
// followed by an empty one.
func TestPTY_CRLF_GivesOneLineEventPerLine(t *testing.T) {
	c, svc := newTestService(t, Options{})
	rec := newRecorder(c)
	p := startProcess(t, svc, RunOptions{
		Command: "sh",
		Args:    []string{"-c", `printf 'a\r\nb\r\nc'`},
		PTY:     true,
	})
	waitDone(t, p, ptyDeadline)
	require.NoError(t, p.Wait())

	require.Equal(t, []string{"a", "b", "c"}, rec.lines(p.ID),
		"output %q: one line event per line", p.Output())
}
