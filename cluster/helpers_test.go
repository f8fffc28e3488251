package cluster_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"dappco.re/go/core/process/cluster"
	"dappco.re/go/core/process/cluster/agent"
)

// testStorage is what every test's agents and clients make the buckets
// with: a short node TTL, so a silent node is lost within seconds.
var testStorage = cluster.Storage{NodeTTL: 2 * time.Second, LogMaxBytes: 8 << 20, LogMaxAge: time.Hour}

// within is the generous deadline of every wait: the machine is shared.
const within = 60 * time.Second

// The helper-process agent: the test binary re-executed with these set
// runs an agent until it is killed.
const (
	envAgentURL  = "GOPROCESS_CLUSTER_TEST_AGENT_URL"
	envAgentNode = "GOPROCESS_CLUSTER_TEST_AGENT_NODE"
)

func TestMain(m *testing.M) {
	if url := os.Getenv(envAgentURL); url != "" {
		err := agent.Run(context.Background(), agent.Options{URL: url, Node: os.Getenv(envAgentNode), Storage: testStorage})
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// pidKeeper remembers the PIDs a test's units had, and kills by PID those
// still alive when the test ends.
type pidKeeper struct {
	mu   sync.Mutex
	pids map[int]bool
}

func newPIDKeeper(t testing.TB) *pidKeeper {
	k := &pidKeeper{pids: map[int]bool{}}
	t.Cleanup(func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		for pid := range k.pids {
			if alive(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	return k
}

func (k *pidKeeper) keep(rows []cluster.Row) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range rows {
		if r.Info.PID > 0 {
			k.pids[r.Info.PID] = true
		}
	}
}

// alive reports whether pid is a process that has not been reaped nor is
// a zombie.
func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// withArgv returns the live processes whose command line is exactly argv.
func withArgv(argv ...string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if slices.Equal(strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00"), argv) && alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// markers counts the markers made, so each is unique in this process.
var markers atomic.Int64

// marker returns a sleep duration unique to this test process and call,
// so a test can find its units' processes in /proc by command line.
func marker() string {
	return fmt.Sprintf("1000.%d%06d", os.Getpid(), markers.Add(1))
}

// sleeperSpec is a unit that sleeps, with a unique argument.
func sleeperSpec(name, arg string) cluster.Spec {
	return cluster.Spec{Name: name, Command: "sleep", Args: []string{arg}, GracePeriod: cluster.Duration(time.Second)}
}

// runAgent runs an agent in this process until the test ends. It dials
// the servers of url in the order given, as openStore does.
func runAgent(t testing.TB, url, node string, labels map[string]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- agent.Run(ctx, agent.Options{URL: url, Node: node, Labels: labels, Storage: testStorage,
			NATS: []nats.Option{nats.DontRandomize()}})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(within):
			t.Errorf("agent %s did not stop within %v", node, within)
		}
	})
}

// agentProcess runs an agent as a child process (the test binary) and
// returns it; it is killed by PID when the test ends.
func agentProcess(t *testing.T, url, node string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envAgentURL+"="+url, envAgentNode+"="+node)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(cmd.Process.Pid, syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// openStore connects a client to url, dialling its servers in order.
func openStore(t testing.TB, url string) *cluster.Store {
	t.Helper()
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.DontRandomize())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	st, err := cluster.Open(ctx, nc, testStorage)
	require.NoError(t, err)
	return st
}

// awaitNodes waits until every named node is alive.
func awaitNodes(t testing.TB, st *cluster.Store, names ...string) {
	t.Helper()
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		nodes, err := st.Nodes(ctx)
		if err != nil {
			return false
		}
		for _, name := range names {
			if !slices.ContainsFunc(nodes, func(n cluster.Node) bool { return n.Name == name && n.Alive }) {
				return false
			}
		}
		return true
	}, within, 20*time.Millisecond, "nodes %v never all alive", names)
}

// awaitRows waits until ps's rows satisfy ok, and returns them.
func awaitRows(t *testing.T, st *cluster.Store, keeper *pidKeeper, what string, ok func(map[string]cluster.Row) bool) map[string]cluster.Row {
	t.Helper()
	var last map[string]cluster.Row
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		rows, err := st.PS(ctx)
		if err != nil {
			return false
		}
		keeper.keep(rows)
		last = map[string]cluster.Row{}
		for _, r := range rows {
			last[r.Node+"/"+r.Unit] = r
		}
		return ok(last)
	}, within, 20*time.Millisecond, "ps never showed %s; last: %+v", what, &last)
	return last
}

// states is a condition on rows: each NODE/UNIT given in the given state.
func states(want map[string]string) func(map[string]cluster.Row) bool {
	return func(rows map[string]cluster.Row) bool {
		if len(rows) != len(want) {
			return false
		}
		for key, state := range want {
			if rows[key].State != state {
				return false
			}
		}
		return true
	}
}

// apply places units, failing the test on error.
func apply(t *testing.T, st *cluster.Store, units ...cluster.Placement) map[string][]cluster.Spec {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	lists, err := st.Apply(ctx, units)
	require.NoError(t, err)
	return lists
}

// testWriter is a bytes.Buffer safe for use from two goroutines.
type testWriter struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *testWriter) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Reset()
}

func (w *testWriter) count(s string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Count(w.buf.String(), s)
}

func (w *testWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
