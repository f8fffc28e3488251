package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	"dappco.re/go/core/process"
)

// registryDirEnv, when set, is the directory of the daemon registry
// instead of ~/.core/daemons (tests set it, so they never write into the
// real one).
const registryDirEnv = "GOPROCESS_REGISTRY_DIR"

// registryCode is the Code of every goprocess manager's registry entry.
const registryCode = "goprocess"

// daemonRegistry returns the registry of running managers.
func daemonRegistry() *process.Registry {
	if dir := os.Getenv(registryDirEnv); dir != "" {
		return process.NewRegistry(dir)
	}
	return process.DefaultRegistry()
}

// projectName names the project of the config file at the absolute path
// file in the registry: its directory's name and a short hash of the
// file's path, so two projects in directories of the same name never
// share an entry.
func projectName(file string) string {
	sum := sha256.Sum256([]byte(file))
	name := filepath.Base(filepath.Dir(file))
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, name)
	return name + "-" + hex.EncodeToString(sum[:4])
}

// startDaemon makes this manager a process.Daemon registered in the
// registry — Code goprocess, Daemon its project's name, Project its
// config file, Health its socket — and returns the function that stops
// it (and so unregisters). A manager that cannot register still runs:
// the failure is noted.
func (u *upRun) startDaemon() (stop func()) {
	file, err := filepath.Abs(u.o.cfg.Path)
	if err != nil {
		u.pr.note("not registered in the daemon registry: %v", err)
		return func() {}
	}
	d := process.NewDaemon(process.DaemonOptions{
		Registry: daemonRegistry(),
		RegistryEntry: process.DaemonEntry{
			Code:    registryCode,
			Daemon:  projectName(file),
			Project: file,
			Health:  u.o.socket,
		},
	})
	if err := d.Start(); err != nil {
		u.pr.note("not registered in the daemon registry: %v", err)
		return func() {}
	}
	return func() {
		if err := d.Stop(); err != nil {
			u.pr.note("leaving the daemon registry: %v", err)
		}
	}
}
