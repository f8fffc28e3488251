package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"dappco.re/go/core/process/api"
	"dappco.re/go/core/process/internal/config"
)

// upOptions are the settings of `goprocess up`, once checked.
type upOptions struct {
	cfg          *config.File
	socket       string
	listen       string // empty: no TCP listener
	token        string
	generated    bool // the token was made up here, so it is shown
	allowStart   bool
	allowedHosts []string
}

// cmdUp runs `goprocess up`: it checks everything it was given, and runs
// the units only when all is well.
func cmdUp(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("up", "up [-f process.yaml] [--socket PATH] [--listen HOST:PORT] [--token-file FILE] [--allowed-host NAME]… [--allow-start] [--env-file FILE]", stderr)
	file := fs.String("f", "process.yaml", "the units `file`")
	sock := socketFlag(fs)
	listen := fs.String("listen", "", "also serve the API and the dashboard on this TCP `address` (host:port, the host named: 127.0.0.1:8080), behind a token")
	var allowedHosts listFlag
	fs.Var(&allowedHosts, "allowed-host", "a host `name` the TCP listener also answers to, besides its address and localhost (repeatable)")
	tokenFile := fs.String("token-file", "", "read the TCP listener's token from this `file` (default $GOPROCESS_TOKEN, else a random one)")
	allowStart := fs.Bool("allow-start", false, "allow POST /v1/processes (starting any command) over TCP")
	envFile := fs.String("env-file", "", "a `file` of NAME=value lines for every unit, instead of the file's env_file")
	if _, status, done := parseExactly(fs, args, stderr, 0); done {
		return status
	}
	cfg, err := config.Load(*file, config.EnvFile(*envFile))
	if err != nil {
		fmt.Fprintln(stderr, err)
		fmt.Fprintln(stderr, "goprocess up: nothing started")
		return exitUsage
	}
	o := upOptions{cfg: cfg, socket: socketPath(*sock), listen: *listen, allowStart: *allowStart, allowedHosts: allowedHosts}
	if o.listen != "" {
		if err := checkListen(o.listen); err != nil {
			return usageError(fs, stderr, "%v", err)
		}
		o.token, o.generated, err = upToken(*tokenFile)
		if err != nil {
			fmt.Fprintf(stderr, "goprocess up: %v\n", err)
			return exitUsage
		}
	} else if *tokenFile != "" || len(allowedHosts) > 0 {
		return usageError(fs, stderr, "--token-file and --allowed-host are for --listen")
	}
	listeners, err := openListeners(o)
	if err != nil {
		fmt.Fprintf(stderr, "goprocess up: %v\n", err)
		return exitUsage
	}
	for _, l := range listeners {
		if warning := exposure(l.Addr()); warning != "" {
			fmt.Fprintf(stderr, "goprocess up: warning: --listen %s: %s\n", o.listen, warning)
		}
	}
	return runUp(o, listeners, stdout, stderr)
}

// checkListen refuses a --listen address without a host (":8080"), which
// would listen on every interface without saying so.
func checkListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %s: want HOST:PORT (127.0.0.1:8080): %v", addr, err)
	}
	if host == "" {
		return fmt.Errorf("--listen %s: name the host: 127.0.0.1:%s for this machine only, or 0.0.0.0:%s for every interface", addr, port, port)
	}
	return nil
}

// exposure warns of a TCP listener that other machines can reach: one not
// on a loopback address. It is "" for a loopback or unix listener.
func exposure(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("the API listens on %s, which other machines can reach: whoever has the token controls every unit (use 127.0.0.1 for this machine only)", addr)
}

// listFlag is a flag that may be given many times; it keeps every value.
type listFlag []string

func (f *listFlag) String() string { return strings.Join(*f, ",") }

func (f *listFlag) Set(v string) error {
	*f = append(*f, v)
	return nil
}

// openListeners opens the unix socket (refusing one a live server answers on,
// replacing a stale one) and, with --listen, the TCP listener.
func openListeners(o upOptions) ([]net.Listener, error) {
	ul, err := api.ListenUnix(o.socket)
	if err != nil {
		return nil, err
	}
	ls := []net.Listener{ul}
	if o.listen != "" {
		tl, err := net.Listen("tcp", o.listen)
		if err != nil {
			ul.Close()
			return nil, fmt.Errorf("listening on %s: %w", o.listen, err)
		}
		ls = append(ls, tl)
	}
	return ls, nil
}

// upToken returns the TCP listener's token: the content of tokenFile, else
// $GOPROCESS_TOKEN, else a new random one of 32 bytes (generated true). A
// token given that is too short (api.CheckToken) is refused.
func upToken(tokenFile string) (token string, generated bool, err error) {
	if tokenFile != "" {
		data, err := os.ReadFile(tokenFile)
		if err != nil {
			return "", false, fmt.Errorf("token file: %w", err)
		}
		token = strings.TrimSpace(string(data))
		if err := api.CheckToken(token); err != nil {
			return "", false, fmt.Errorf("token file %s: %w", tokenFile, err)
		}
		return token, false, nil
	}
	if t := strings.TrimSpace(os.Getenv("GOPROCESS_TOKEN")); t != "" {
		if err := api.CheckToken(t); err != nil {
			return "", false, fmt.Errorf("$GOPROCESS_TOKEN: %w", err)
		}
		return t, false, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", false, fmt.Errorf("making a token: %w", err)
	}
	return hex.EncodeToString(b), true, nil
}

// dashboardURL is the address to open the dashboard at, for the
// listener's address: an unspecified host is shown as 127.0.0.1.
func dashboardURL(addr net.Addr, token string) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	u := "http://" + net.JoinHostPort(host, port) + "/"
	if token != "" {
		u += "?token=" + token
	}
	return u
}
