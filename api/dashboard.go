package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"time"
)

// dashboardFiles holds the dashboard: one self-contained page, its CSS
// and JavaScript inline, that uses only the JSON and event endpoints.
//
//go:embed dashboard
var dashboardFiles embed.FS

// dashboardCSP lets the page run its own inline script and style and
// talk to its own origin, and nothing else: no other origin, no plugins,
// no framing, no form posts.
const dashboardCSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; " +
	"style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// dashboardHandler serves the dashboard page (GET /). It answers every
// path with the page, so mount it where the page belongs.
func dashboardHandler() http.Handler {
	page, err := fs.ReadFile(dashboardFiles, "dashboard/index.html")
	if err != nil { // cannot happen: the file is embedded at build time
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "dashboard: "+err.Error(), http.StatusInternalServerError)
		})
	}
	sum := sha256.Sum256(page)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", dashboardCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(page))
	})
}
