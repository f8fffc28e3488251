package agent

import (
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process/cluster"
	"dappco.re/go/core/process/cluster/internal/natstest"
)

func TestLineWriter_PublishesALinePerMessage_JoiningPartsAndSplittingLongLines(t *testing.T) {
	srv := natstest.Server(t)
	nc, err := nats.Connect(srv.ClientURL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	msgs := make(chan *nats.Msg, 16)
	sub, err := nc.ChanSubscribe("goprocess.log.n1.web", msgs)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	require.NoError(t, nc.Flush())
	w := &lineWriter{nc: nc, subject: cluster.LogSubject("n1", "web"), stream: "stderr"}

	long := strings.Repeat("x", maxLine+10)
	for _, part := range []string{"one\ntw", "o\n", "", long + "\n"} {
		n, err := w.Write([]byte(part))
		require.NoError(t, err)
		require.Equal(t, len(part), n)
	}

	want := []string{"one", "two", long[:maxLine], long[maxLine:]}
	for i, line := range want {
		select {
		case m := <-msgs:
			assert.Equal(t, line, string(m.Data), "message %d", i)
			assert.Equal(t, "stderr", m.Header.Get(cluster.StreamHeader))
		case <-time.After(30 * time.Second):
			t.Fatalf("message %d (%.20q…) never arrived", i, line)
		}
	}
	assert.Zero(t, w.dropped.Load())
}
