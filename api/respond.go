package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	core "dappco.re/go/core"
	"dappco.re/go/core/process"
)

// statusOf maps an action's error to an HTTP status: unknown process or
// unit 404, process not running 409, shutting down 503, any other
// refusal 400.
func statusOf(err error) int {
	switch {
	case errors.Is(err, process.ErrProcessNotFound), errors.Is(err, process.ErrUnitNotFound):
		return http.StatusNotFound
	case errors.Is(err, process.ErrProcessNotRunning):
		return http.StatusConflict
	case errors.Is(err, process.ErrShuttingDown):
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// actionError is a failed action: its error and the status it maps to.
type actionError struct {
	status int
	err    error
}

func (e *actionError) Error() string { return e.err.Error() }

func (e *actionError) Unwrap() error { return e.err }

// failure returns the actionError of a failed Result of action name. An
// action that is not registered (the process service has not started)
// maps to 503.
func (s *Server) failure(name string, r core.Result) *actionError {
	err, isErr := r.Value.(error)
	if !isErr {
		err = fmt.Errorf("%s: failed: %v", name, r.Value)
	}
	if !s.c.Action(name).Exists() {
		return &actionError{status: http.StatusServiceUnavailable, err: err}
	}
	return &actionError{status: statusOf(err), err: err}
}

// respondJSON answers with status and v as JSON.
func respondJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		respondErrorMessage(w, http.StatusInternalServerError, fmt.Sprintf("api: encode response: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// respondError answers with err's status (an *actionError's, else 400) and
// its message as an ErrorBody.
func respondError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	var ae *actionError
	if errors.As(err, &ae) {
		status = ae.status
	}
	respondErrorMessage(w, status, err.Error())
}

// respondErrorMessage answers with status and msg as an ErrorBody.
func respondErrorMessage(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(ErrorBody{Error: msg}) // a struct of one string always encodes
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
