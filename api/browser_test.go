package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
	"dappco.re/go/core/process/api"
)

// browserPath is where Debian's chromium package puts the browser.
const browserPath = "/usr/bin/chromium"

// TestBrowserDashboard drives the dashboard in a real headless Chromium
// against a real server and real units: the units show as ready, the
// log tail of a unit shows lines written after the page loaded (as text,
// never as markup; stderr lines marked, not coloured as errors), the
// restart button restarts a unit, a refused action shows the server's
// message, a page of another port cannot stop a unit with the dashboard's
// cookie, stop then start bring another unit down and up again (the
// stopped process not coloured as a failure, a crashed one coloured so),
// a probe error while a unit restarts is not shown as a failure, and the
// page says so when the server goes away.
func TestBrowserDashboard(t *testing.T) {
	if _, err := os.Stat(browserPath); err != nil {
		if os.Getenv("GOPROCESS_BROWSER_TEST") == "1" {
			t.Fatalf("GOPROCESS_BROWSER_TEST=1 but no browser: %v", err)
		}
		t.Skipf("no Chromium at %s; install it (apt-get install -y chromium) to run this test", browserPath)
	}

	// The process service and two units.
	c := core.New(core.WithService(process.Register))
	if r := c.ServiceStartup(context.Background(), nil); !r.OK {
		t.Fatalf("ServiceStartup: %v", r.Value)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c.ServiceShutdown(ctx)
	})
	svc, ok := core.ServiceFor[*process.Service](c, "process")
	if !ok {
		t.Fatal("no process service")
	}

	const token = "browser-test-token"
	srv := api.New(c, svc, api.Options{Token: token})
	gate := filepath.Join(t.TempDir(), "gate") // gated is ready while it exists
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	specs := []process.UnitSpec{
		{Name: "ticker", Process: process.RunOptions{Command: "sh", Args: []string{"-c",
			`i=0; while :; do i=$((i+1)); echo "tick $i <b>bold</b>"; echo "warn $i" >&2; sleep 0.2; done`}}},
		{Name: "idle", Process: process.RunOptions{Command: "sleep", Args: []string{"600"}}},
		{Name: "gated", Process: process.RunOptions{Command: "sleep", Args: []string{"600"}},
			Ready: &process.Probe{Exec: []string{"test", "-e", gate}, Period: 50 * time.Millisecond}},
	}
	for i := range specs {
		srv.Attach(&specs[i])
	}
	upCtx, upCancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer upCancel()
	if err := svc.Up(upCtx, specs...); err != nil {
		t.Fatalf("Up: %v", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	var shutOnce sync.Once
	shutdown := func() {
		shutOnce.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
			<-served
		})
	}
	t.Cleanup(shutdown)

	// The browser, with what it logs kept for a failure report.
	var (
		mu      sync.Mutex
		console []string
	)
	note := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		console = append(console, fmt.Sprintf(format, args...))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browserPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(allocCtx,
		chromedp.WithLogf(func(string, ...any) {}),
		chromedp.WithErrorf(func(format string, args ...any) { note("chromedp: "+format, args...) }))
	t.Cleanup(func() {
		cancelTab()
		if t.Failed() {
			mu.Lock()
			defer mu.Unlock()
			t.Logf("browser console:\n%s", strings.Join(console, "\n"))
		}
	})
	// The first Run starts the browser, on a context without a deadline.
	if err := chromedp.Listen(tab, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			note("EXCEPTION %s (%s:%d)", msg, d.URL, d.LineNumber)
		case *runtime.EventConsoleAPICalled:
			note("console.%s", ev.Type)
		case *log.EventEntryAdded:
			note("%s %s: %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text)
		}
	}); err != nil {
		t.Fatalf("starting the browser: %v", err)
	}

	// step runs an action with a deadline; on failure it reports what the
	// page showed.
	step := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		if _, err := chromedp.Run(ctx, a); err != nil {
			dctx, dcancel := context.WithTimeout(tab, 5*time.Second)
			defer dcancel()
			body, _ := chromedp.Run(dctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s: %v\npage:\n%s", what, err, body)
		}
	}
	wait := func(what, expr string) {
		t.Helper()
		step(what, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond),
				chromedp.WithPollingTimeout(25*time.Second))(ctx, tg)
			return chromedp.Void{}, err
		})
	}
	eval := func(expr string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(tab, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("evaluating %s: %v", expr, err)
		}
		return v
	}
	unitState := func(name string) string {
		return fmt.Sprintf(`document.querySelector('tr[data-unit=%q] .state')?.textContent`, name)
	}
	// isBad is an expression: whether the element sel is coloured as a
	// failure (the page's --bad colour).
	isBad := func(sel string) string {
		return fmt.Sprintf(`(() => {
			const probe = document.createElement("span");
			probe.style.color = "var(--bad)";
			document.body.append(probe);
			const bad = getComputedStyle(probe).color;
			probe.remove();
			return getComputedStyle(document.querySelector(%q)).color === bad;
		})()`, sel)
	}
	base := "http://" + l.Addr().String()

	// The page is HTML that may run only its own inline script.
	browserCheckHeaders(t, "http://"+l.Addr().String()+"/", token)

	// The token in the URL becomes a cookie; the page then loads both units.
	step("open the dashboard", chromedp.Navigate("http://"+l.Addr().String()+"/?token="+token))
	wait("every unit ready", unitState("ticker")+` === "ready" && `+unitState("idle")+` === "ready" && `+unitState("gated")+` === "ready"`)
	wait("the event stream connected", `document.querySelector("#conn").dataset.connected === "true"`)

	// Selecting a unit follows its log: a line written after the page
	// loaded appears, as text.
	step("select ticker", chromedp.Click(chromedp.CSS(`button[data-action="logs"][data-unit="ticker"]`)))
	const lastTick = `Math.max(0, ...[...document.querySelectorAll("#log .line .text")]
		.map((e) => +(/^tick (\d+) /.exec(e.textContent) || [0, 0])[1]))`
	wait("ticker's kept lines", lastTick+` > 0`)
	seen := eval(`String(` + lastTick + `)`)
	wait("a tick after "+seen, lastTick+` > `+seen)
	if got := eval(`String(document.querySelectorAll("#log b").length)`); got != "0" {
		t.Errorf("a log line became markup: %s <b> elements in #log", got)
	}
	if got := eval(`[...document.querySelectorAll('#log .line[data-stream="stdout"] .text')].pop().textContent`); !strings.HasSuffix(got, " <b>bold</b>") {
		t.Errorf("last stdout line = %q, want the text with its <b>", got)
	}
	wait("a stderr line", `document.querySelector('#log .line[data-stream="stderr"] .text') !== null`)
	if eval(`String(`+isBad(`#log .line[data-stream="stderr"] .text`)+`)`) == "true" {
		t.Errorf("a stderr line is coloured as a failure")
	}

	// The restart button restarts the unit: a new process, ready again.
	before, err := svc.Unit("ticker")
	if err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.querySelector('tr[data-unit="ticker"]').dataset.processId`); got != before.ProcessID {
		t.Fatalf("page shows ticker's process %q, service %q", got, before.ProcessID)
	}
	step("click restart", chromedp.Click(chromedp.CSS(`button[data-action="restart"][data-unit="ticker"]`)))
	wait("ticker restarted and ready", fmt.Sprintf(`(() => {
		const tr = document.querySelector('tr[data-unit="ticker"]');
		return tr.dataset.processId !== %q && tr.dataset.pid !== "" && tr.dataset.pid !== %q &&
			tr.querySelector(".state").textContent === "ready";
	})()`, before.ProcessID, fmt.Sprint(before.PID)))
	after, err := svc.Unit("ticker")
	if err != nil {
		t.Fatal(err)
	}
	if after.ProcessID == before.ProcessID || after.PID == before.PID || after.State != process.UnitReady {
		t.Errorf("after restart the service has %+v, before %+v", after, before)
	}
	if got := eval(`document.querySelector('tr[data-unit="ticker"] .pid').textContent`); got != fmt.Sprint(after.PID) {
		t.Errorf("page shows PID %s, service %d", got, after.PID)
	}
	if got := eval(`document.querySelector('tr[data-unit="ticker"]').dataset.processId`); got != after.ProcessID {
		t.Errorf("page shows process %s, service %s", got, after.ProcessID)
	}
	if got := eval(`document.querySelector("#message").hidden ? "" : document.querySelector("#message").textContent`); got != "" {
		t.Errorf("the page shows an error after the restart: %s", got)
	}

	// A refused action shows the server's message: starting a unit that
	// is up (the page offers start only for a unit that is down, so the
	// button is unhidden and clicked in one go).
	want := browserRefusal(t, "http://"+l.Addr().String()+"/v1/units/ticker/start", token)
	eval(`(() => {
		const b = document.querySelector('button[data-action="start"][data-unit="ticker"]');
		b.hidden = false;
		b.click();
		return "";
	})()`)
	wait("the refusal shown", `!document.querySelector("#message").hidden`)
	if got := eval(`document.querySelector("#message-text").textContent`); got != "start ticker: "+want {
		t.Errorf("the page says %q, want %q", got, "start ticker: "+want)
	}
	step("dismiss the message", chromedp.Click(chromedp.CSS(`#message-close`)))
	step("the message gone", chromedp.WaitNotVisible(chromedp.CSS(`#message`)))

	// A page of another port of the same host, opened in the browser that
	// holds the dashboard's cookie, cannot stop a unit: neither with an
	// empty POST nor with a text/plain body.
	idleBefore, err := svc.Unit("idle")
	if err != nil {
		t.Fatal(err)
	}
	other := browserOtherOrigin(t, base+"/v1/units/idle/stop")
	step("open a page of another port", chromedp.Navigate(other))
	wait("its requests answered", `document.title === "sent 2"`)
	if u, err := svc.Unit("idle"); err != nil || u.State != process.UnitReady || u.ProcessID != idleBefore.ProcessID {
		t.Errorf("idle after the other page's requests: %+v, %v; want it untouched: %+v", u, err, idleBefore)
	}
	step("back to the dashboard", chromedp.Navigate(base+"/"))
	wait("every unit ready again", unitState("ticker")+` === "ready" && `+unitState("idle")+` === "ready" && `+unitState("gated")+` === "ready"`)
	wait("the event stream connected again", `document.querySelector("#conn").dataset.connected === "true"`)

	// Stop takes a unit down and offers start; start brings it back.
	step("click stop", chromedp.Click(chromedp.CSS(`button[data-action="stop"][data-unit="idle"]`)))
	wait("idle stopped", unitState("idle")+` === "stopped"`)
	stoppedRow := fmt.Sprintf(`tr[data-process=%q] .status`, idleBefore.ProcessID)
	wait("the stopped process listed as stopped", `document.querySelector('`+stoppedRow+`')?.textContent === "stopped (SIGTERM)"`)
	if eval(`String(`+isBad(stoppedRow)+`)`) == "true" {
		t.Errorf("a process stopped on request is coloured as a failure")
	}
	step("start offered", chromedp.WaitVisible(chromedp.CSS(`button[data-action="start"][data-unit="idle"]`)))
	if u, err := svc.Unit("idle"); err != nil || u.State != process.UnitStopped {
		t.Errorf("idle after stop: %+v, %v", u, err)
	}
	step("click start", chromedp.Click(chromedp.CSS(`button[data-action="start"][data-unit="idle"]`)))
	wait("idle ready again", unitState("idle")+` === "ready"`)
	if u, err := svc.Unit("idle"); err != nil || u.State != process.UnitReady {
		t.Errorf("idle after start: %+v, %v", u, err)
	}

	// A process that crashed is coloured as a failure.
	crash := svc.Start(context.Background(), "sh", "-c", "exit 3")
	if !crash.OK {
		t.Fatalf("starting a crash: %v", crash.Value)
	}
	crashed := crash.Value.(*process.Process)
	crashRow := fmt.Sprintf(`tr[data-process=%q] .status`, crashed.ID)
	wait("the crash listed", `document.querySelector('`+crashRow+`')?.textContent === "exited (3)"`)
	if eval(`String(`+isBad(crashRow)+`)`) != "true" {
		t.Errorf("a process that exited with status 3 is not coloured as a failure")
	}

	// While gated restarts, its probe fails until the gate is back: the
	// page shows why, not as a failure.
	if err := os.Remove(gate); err != nil {
		t.Fatal(err)
	}
	restarted := make(chan error, 1)
	go func() { restarted <- svc.Restart(context.Background(), "gated") }()
	wait("gated starting, with its probe's error", `(() => {
		const tr = document.querySelector('tr[data-unit="gated"]');
		return tr.dataset.state === "starting" && tr.querySelector(".error").textContent.startsWith("ready probe:");
	})()`)
	if eval(`String(`+isBad(`tr[data-unit="gated"] .error`)+`)`) == "true" {
		t.Errorf("a probe error while a unit restarts is coloured as a failure")
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := <-restarted; err != nil {
		t.Errorf("restarting gated: %v", err)
	}
	wait("gated ready again", unitState("gated")+` === "ready"`)

	// When the server goes, the page says it is disconnected.
	shutdown()
	step("the disconnected banner", chromedp.WaitVisible(chromedp.CSS(`#banner`)))
	wait("the connection marked down", `document.querySelector("#conn").dataset.connected === "false"`)

	mu.Lock()
	for _, m := range console {
		if strings.HasPrefix(m, "EXCEPTION") {
			t.Errorf("the page threw: %s", m)
		}
	}
	mu.Unlock()
}

// browserOtherOrigin serves, on another port of the same host until the
// test ends, a page whose script POSTs to target twice (once empty, once
// with a text/plain body, as a form or a simple fetch may), with the
// browser's cookies; it sets the page's title to "sent 2" once both have
// been answered. It returns the page's URL.
func browserOtherOrigin(t *testing.T, target string) string {
	t.Helper()
	page := fmt.Sprintf(`<!doctype html><title>other</title><script>
let n = 0;
const done = () => { n++; document.title = "sent " + n; };
const post = (init) => fetch(%q, Object.assign({method: "POST", mode: "no-cors", credentials: "include"}, init)).then(done, done);
post({}).then(() => post({headers: {"Content-Type": "text/plain"}, body: "{}"}));
</script>`, target)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String() + "/"
}

// browserRequest sends method to url with the token as a bearer and
// returns the response; the caller closes its body.
func browserRequest(t *testing.T, method, url, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Close = true // no connection is left idle once the body is closed
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// browserRefusal POSTs to url with the token and returns the error message
// the server answers with, failing the test unless it refuses.
func browserRefusal(t *testing.T, url, token string) string {
	t.Helper()
	res := browserRequest(t, http.MethodPost, url, token)
	defer res.Body.Close()
	var body api.ErrorBody
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode < 400 || body.Error == "" {
		t.Fatalf("POST %s: %s, %+v, %v; want a refusal", url, res.Status, body, err)
	}
	return body.Error
}

// browserCheckHeaders GETs the dashboard with the token and checks the
// headers that keep it self-contained.
func browserCheckHeaders(t *testing.T, url, token string) {
	t.Helper()
	res := browserRequest(t, http.MethodGet, url, token)
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	for key, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'self'; ",
	} {
		if got := res.Header.Get(key); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q…", key, got, want)
		}
	}
}
