package api

import (
	"fmt"
	"net/http"

	"dappco.re/go/core/process"
)

// handleListUnits is GET /v1/units: process.units, in the order the units
// were added.
func (s *Server) handleListUnits(w http.ResponseWriter, r *http.Request) {
	infos, err := runAs[[]process.UnitInfo](s, r.Context(), "process.units")
	if err != nil {
		respondError(w, err)
		return
	}
	if infos == nil {
		infos = []process.UnitInfo{}
	}
	respondJSON(w, http.StatusOK, infos)
}

// handleGetUnit is GET /v1/units/{name}: process.unit.
func (s *Server) handleGetUnit(w http.ResponseWriter, r *http.Request) {
	info, err := s.unitInfo(r, r.PathValue("name"))
	if err != nil {
		respondError(w, err)
		return
	}
	respondJSON(w, http.StatusOK, info)
}

// handleStartUnit is POST /v1/units/{name}/start: a unit that is down
// (stopped, failed or succeeded) is started again with process.restart,
// and the answer is its UnitInfo once it is ready; a unit that is not
// down is a 409. The check and the start are two steps: a unit brought
// up in between is restarted.
func (s *Server) handleStartUnit(w http.ResponseWriter, r *http.Request) {
	if _, err := readObject(w, r, []string{}); err != nil {
		respondError(w, err)
		return
	}
	name := r.PathValue("name")
	info, err := s.unitInfo(r, name)
	if err != nil {
		respondError(w, err)
		return
	}
	switch info.State {
	case process.UnitStopped, process.UnitFailed, process.UnitSucceeded:
	case process.UnitStopping:
		respondErrorMessage(w, http.StatusConflict, fmt.Sprintf("api: start unit %q: it is stopping; start it once stopped, or restart it", name))
		return
	default:
		respondErrorMessage(w, http.StatusConflict, fmt.Sprintf("api: start unit %q: already up (%s)", name, info.State))
		return
	}
	s.restartUnit(w, r, name)
}

// handleStopUnit is POST /v1/units/{name}/stop: process.down of the unit
// (and so of its dependents), then its UnitInfo.
func (s *Server) handleStopUnit(w http.ResponseWriter, r *http.Request) {
	if _, err := readObject(w, r, []string{}); err != nil {
		respondError(w, err)
		return
	}
	name := r.PathValue("name")
	if _, err := s.run(r.Context(), "process.down", opt("names", []string{name})); err != nil {
		respondError(w, err)
		return
	}
	info, err := s.unitInfo(r, name)
	if err != nil {
		respondError(w, err)
		return
	}
	respondJSON(w, http.StatusOK, info)
}

// handleRestartUnit is POST /v1/units/{name}/restart: process.restart,
// answering the UnitInfo once the unit is ready again.
func (s *Server) handleRestartUnit(w http.ResponseWriter, r *http.Request) {
	if _, err := readObject(w, r, []string{}); err != nil {
		respondError(w, err)
		return
	}
	s.restartUnit(w, r, r.PathValue("name"))
}

// restartUnit runs process.restart and answers the unit's UnitInfo.
func (s *Server) restartUnit(w http.ResponseWriter, r *http.Request, name string) {
	info, err := runAs[process.UnitInfo](s, r.Context(), "process.restart", opt("name", name))
	if err != nil {
		respondError(w, err)
		return
	}
	respondJSON(w, http.StatusOK, info)
}

// handleDown is POST /v1/down: process.down of every unit, then 204; once
// the answer has been sent, Options.OnDown runs in a goroutine of its own.
func (s *Server) handleDown(w http.ResponseWriter, r *http.Request) {
	if _, err := readObject(w, r, []string{}); err != nil {
		respondError(w, err)
		return
	}
	if _, err := s.run(r.Context(), "process.down"); err != nil {
		respondError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	_ = http.NewResponseController(w).Flush()
	if s.opts.OnDown != nil {
		go s.opts.OnDown()
	}
}

// unitInfo runs process.unit for name.
func (s *Server) unitInfo(r *http.Request, name string) (process.UnitInfo, error) {
	return runAs[process.UnitInfo](s, r.Context(), "process.unit", opt("name", name))
}
