package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRun_BadCommandLines_ExitUsageNamingWhatIsWrong(t *testing.T) {
	cases := map[string][]string{
		`unknown command "frobnicate"`:         {"frobnicate"},
		"--node is required":                   {"agent", "--nats", "nats://127.0.0.1:1"},
		`--labels: want k=v,…, got "zone"`:     {"agent", "--node", "n1", "--labels", "zone"},
		`want NODE/UNIT, got "web"`:            {"restart", "web"},
		"want 1 argument(s), got 0":            {"logs"},
		"--tls-cert and --tls-key go together": {"agent", "--node", "n1", "--tls-cert", "c.pem"},
		"flag provided but not defined: -x":    {"ps", "-x"},
	}
	for want, args := range cases {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Contains(t, stderr.String(), want, "%v", args)
	}
}

func TestRun_Help_ListsEveryCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitOK, run(context.Background(), []string{"--help"}, &stdout, &stderr))
	for name := range commands {
		assert.Contains(t, stderr.String(), "  "+name)
	}
}

func TestRun_NATSUnreachable_ExitFailedNamingTheURL(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"ps", "--nats", "nats://127.0.0.1:1"}, &stdout, &stderr)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr.String(), "connect to nats://127.0.0.1:1")
}
