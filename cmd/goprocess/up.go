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
)

// upOptions are the settings of `goprocess up`, once checked.
type upOptions struct {
	cfg        *config
	socket     string
	listen     string // empty: no TCP listener
	token      string
	generated  bool // the token was made up here, so it is shown
	allowStart bool
}

// cmdUp runs `goprocess up`: it checks everything it was given, and runs
// the units only when all is well.
func cmdUp(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("up", "up [-f process.yaml] [--socket PATH] [--listen ADDR] [--token-file FILE] [--allow-start] [--env-file FILE]", stderr)
	file := fs.String("f", "process.yaml", "the units `file`")
	sock := socketFlag(fs)
	listen := fs.String("listen", "", "also serve the API and the dashboard on this TCP `address` (host:port), behind a token")
	tokenFile := fs.String("token-file", "", "read the TCP listener's token from this `file` (default $GOPROCESS_TOKEN, else a random one)")
	allowStart := fs.Bool("allow-start", false, "allow POST /v1/processes (starting any command) over TCP")
	envFile := fs.String("env-file", "", "a `file` of NAME=value lines for every unit, instead of the file's env_file")
	if _, status, done := parseExactly(fs, args, stderr, 0); done {
		return status
	}
	cfg, err := loadConfig(*file, *envFile)
	if err != nil {
		fmt.Fprintln(stderr, err)
		fmt.Fprintln(stderr, "goprocess up: nothing started")
		return exitUsage
	}
	o := upOptions{cfg: cfg, socket: socketPath(*sock), listen: *listen, allowStart: *allowStart}
	if o.listen != "" {
		o.token, o.generated, err = upToken(*tokenFile)
		if err != nil {
			fmt.Fprintf(stderr, "goprocess up: %v\n", err)
			return exitUsage
		}
	} else if *tokenFile != "" {
		return usageError(fs, stderr, "--token-file is for --listen")
	}
	listeners, err := openListeners(o)
	if err != nil {
		fmt.Fprintf(stderr, "goprocess up: %v\n", err)
		return exitUsage
	}
	return runUp(o, listeners, stdout, stderr)
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
// $GOPROCESS_TOKEN, else a new random one (generated true).
func upToken(tokenFile string) (token string, generated bool, err error) {
	if tokenFile != "" {
		data, err := os.ReadFile(tokenFile)
		if err != nil {
			return "", false, fmt.Errorf("token file: %w", err)
		}
		token = strings.TrimSpace(string(data))
		if token == "" {
			return "", false, fmt.Errorf("token file %s is empty", tokenFile)
		}
		return token, false, nil
	}
	if t := strings.TrimSpace(os.Getenv("GOPROCESS_TOKEN")); t != "" {
		return t, false, nil
	}
	b := make([]byte, 24)
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
