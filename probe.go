package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// Probe defaults for zero fields.
const (
	defaultProbePeriod   = time.Second
	defaultProbeTimeout  = time.Second
	defaultProbeFailures = 3
	// probeWaitDelay bounds how long an Exec probe's output may stay open
	// after its command has exited or been killed.
	probeWaitDelay = time.Second
	// probeTail is how much of an Exec probe's output a failure reports.
	probeTail = 256
)

// compiledProbe is a validated Probe with its defaults filled in.
type compiledProbe struct {
	Probe
	kind   string         // "exec", "http", "tcp" or "output"
	output *regexp.Regexp // for an Output probe
	client *http.Client   // for an HTTP probe
	env    []string       // for an Exec probe: added to this program's environment, as the unit's process's
	dir    string         // for an Exec probe: where it runs, as the unit's process
}

// runAs makes an Exec probe run with the environment (env_file included,
// which the command line reads into Env) and in the working directory of
// the unit's process, opts.
func (c *compiledProbe) runAs(opts RunOptions) {
	c.env = append([]string(nil), opts.Env...)
	c.dir = opts.Dir
}

// unitProbes are the compiled probes of a unit.
type unitProbes struct {
	ready, alive *compiledProbe
	output       *regexp.Regexp // the Ready probe's, when it is an Output probe
}

// probeResult is where a probe reports: pass once it passes (a Ready
// probe), miss at each failed check, fail once it has failed Failures
// times in a row (an Alive probe). Nil functions are not called.
type probeResult struct {
	pass func()
	miss func(error)
	fail func(error)
}

// compileProbe validates p, as a Ready probe or, with alive, an Alive
// probe, and fills in its defaults.
func compileProbe(p *Probe, alive bool) (*compiledProbe, error) {
	var kinds []string
	if len(p.Exec) > 0 {
		kinds = append(kinds, "exec")
	}
	if p.HTTP != "" {
		kinds = append(kinds, "http")
	}
	if p.TCP != "" {
		kinds = append(kinds, "tcp")
	}
	if p.Output != "" {
		kinds = append(kinds, "output")
	}
	switch len(kinds) {
	case 0:
		return nil, errors.New("no kind set: set one of Exec, HTTP, TCP, Output")
	case 1:
	default:
		return nil, fmt.Errorf("%d kinds set (%s): set exactly one", len(kinds), strings.Join(kinds, ", "))
	}
	switch {
	case p.InitialDelay < 0, p.Period < 0, p.Timeout < 0:
		return nil, fmt.Errorf("negative duration (initial delay %v, period %v, timeout %v)", p.InitialDelay, p.Period, p.Timeout)
	case p.Failures < 0:
		return nil, fmt.Errorf("negative failures %d", p.Failures)
	}
	c := &compiledProbe{Probe: *p, kind: kinds[0]}
	c.Exec = append([]string(nil), p.Exec...)
	if c.Period == 0 {
		c.Period = defaultProbePeriod
	}
	if c.Timeout == 0 {
		c.Timeout = defaultProbeTimeout
	}
	if c.Failures == 0 {
		c.Failures = defaultProbeFailures
	}
	switch c.kind {
	case "exec":
		if c.Exec[0] == "" {
			return nil, errors.New("exec: empty command")
		}
	case "http":
		u, err := url.Parse(c.HTTP)
		if err != nil {
			return nil, fmt.Errorf("http: %w", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("http: %q is not an http:// or https:// URL with a host", c.HTTP)
		}
		c.client = &http.Client{
			Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
			// 3xx passes: the redirect is the answer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	case "tcp":
		if _, port, err := net.SplitHostPort(c.TCP); err != nil || port == "" {
			return nil, fmt.Errorf("tcp: %q is not host:port", c.TCP)
		}
	case "output":
		if alive {
			return nil, errors.New("output: an Output probe is for readiness only")
		}
		rx, err := regexp.Compile(c.Output)
		if err != nil {
			return nil, fmt.Errorf("output: %w", err)
		}
		c.output = rx
	}
	return c, nil
}

// loop checks every Period, after InitialDelay, until ctx ends, the probe
// passes (with a pass function) or it has failed Failures times in a row
// (with a fail function).
func (c *compiledProbe) loop(ctx context.Context, res probeResult) {
	if !pause(ctx, c.InitialDelay) {
		return
	}
	failures := 0
	for {
		began := time.Now()
		err := c.check(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			failures = 0
			if res.pass != nil {
				res.pass()
				return
			}
		} else {
			failures++
			if res.miss != nil {
				res.miss(err)
			}
			if res.fail != nil && failures >= c.Failures {
				res.fail(fmt.Errorf("%d checks failed in a row, the last: %w", failures, err))
				return
			}
		}
		if !pause(ctx, c.Period-time.Since(began)) {
			return
		}
	}
}

// pause waits for d, or until ctx ends; it reports whether ctx is still
// live.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// check runs one check, bounded by Timeout (within).
func (c *compiledProbe) check(ctx context.Context) error {
	var check func(context.Context) error
	switch c.kind {
	case "exec":
		return c.checkExec(ctx)
	case "http":
		check = c.checkHTTP
	case "tcp":
		check = c.checkTCP
	default:
		return fmt.Errorf("%s probe: not a periodic check", c.kind)
	}
	err := c.within(ctx, check)
	if _, late := errors.AsType[probeTimeout](err); late {
		return fmt.Errorf("%s probe: %w", c.kind, err)
	}
	return err
}

// probeTimeout is the error of a check that did not answer within its
// Timeout.
type probeTimeout time.Duration

func (t probeTimeout) Error() string {
	return fmt.Sprintf("timed out after %v", time.Duration(t))
}

// probeLateness is how late a check's deadline may be seen before it is
// taken as a sign that this program was paused or starved meanwhile.
const probeLateness = 100 * time.Millisecond

// within runs check and returns its error, or a "timed out" error once
// the check has had Timeout to answer; the check's ctx ends then, or when
// ctx does. The deadline is judged by the time this program ran: a
// deadline seen late (this program was paused or starved, and could not
// take an answer in) gives the check another Timeout from when it is
// seen, so an answer that arrived meanwhile is taken.
func (c *compiledProbe) within(ctx context.Context, check func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- check(ctx) }()
	due := time.Now().Add(c.Timeout)
	deadline := time.NewTimer(c.Timeout)
	defer deadline.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-deadline.C:
			if time.Since(due) > probeLateness {
				due = time.Now().Add(c.Timeout)
				deadline.Reset(c.Timeout)
				continue
			}
			cancel()
			<-done
			return probeTimeout(c.Timeout)
		}
	}
}

// checkExec runs the command, isolated (isolateProbe) so that it is
// killed with what it started when it does not answer in time (within),
// or ctx ends first.
func (c *compiledProbe) checkExec(ctx context.Context) error {
	var out tail
	err := c.within(ctx, func(ctx context.Context) error {
		cmd := exec.CommandContext(ctx, c.Exec[0], c.Exec[1:]...) // killed when ctx ends
		cmd.Env = mergeEnv(os.Environ(), c.env)
		cmd.Dir = c.dir
		isolateProbe(cmd)
		cmd.WaitDelay = probeWaitDelay
		cmd.Stdout = &out
		cmd.Stderr = &out
		return cmd.Run()
	})
	if err == nil {
		return nil
	}
	return c.execError(err, out.String())
}

// execError describes a failed Exec check, with the end of its output.
func (c *compiledProbe) execError(err error, output string) error {
	if text := strings.TrimSpace(output); text != "" {
		return fmt.Errorf("exec probe %s: %w: %s", c.Exec[0], err, text)
	}
	return fmt.Errorf("exec probe %s: %w", c.Exec[0], err)
}

// checkHTTP passes on a 2xx or 3xx answer to a GET.
func (c *compiledProbe) checkHTTP(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.HTTP, nil)
	if err != nil {
		return fmt.Errorf("http probe: %w", err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("http probe: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 399 {
		return fmt.Errorf("http probe %s: status %s", c.HTTP, resp.Status)
	}
	return nil
}

// checkTCP passes when a connection opens.
func (c *compiledProbe) checkTCP(ctx context.Context) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.TCP)
	if err != nil {
		return fmt.Errorf("tcp probe: %w", err)
	}
	return conn.Close()
}

// tail keeps the last probeTail bytes written to it.
type tail struct {
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - probeTail; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.buf) }
