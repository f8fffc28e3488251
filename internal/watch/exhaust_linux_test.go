//go:build linux

package watch

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv names the test the re-executed test binary runs.
const helperEnv = "GO_PROCESS_WATCH_TEST_HELPER"

// TestSet_Park_FailedStartOfTheSharedInstanceIsRetried runs in a test
// binary of its own, where no Park set has been made yet: the first New,
// made while no descriptor is free, fails; once descriptors are free, New
// makes a set that works.
func TestSet_Park_FailedStartOfTheSharedInstanceIsRetried(t *testing.T) {
	if os.Getenv(helperEnv) != t.Name() {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(exe, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v", "-test.timeout=60s")
		cmd.Env = append(os.Environ(), helperEnv+"="+t.Name())
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
			t.Fatalf("in its own test binary: %v\n%s", err, out)
		}
		return
	}

	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		t.Fatal(err)
	}
	lowered := limit
	lowered.Cur = 64
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lowered); err != nil {
		t.Fatal(err)
	}
	var fillers []int
	for {
		fd, err := syscall.Dup(2)
		if err != nil {
			break
		}
		fillers = append(fillers, fd)
	}
	_, err := New(Park)
	for _, fd := range fillers {
		syscall.Close(fd)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(err, syscall.EMFILE) {
		t.Fatalf("New(Park) with no descriptor free = %v, want EMFILE", err)
	}

	s, err := New(Park)
	if err != nil {
		t.Fatalf("New(Park) once descriptors are free = %v: the failed start was remembered", err)
	}
	defer s.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	fd := pipeFD(t, r)
	if err := s.Add(fd); err != nil {
		t.Fatal(err)
	}
	w.WriteString("x")
	ready, err := s.Wait(time.Now().Add(10 * time.Second))
	if err != nil || len(ready) != 1 || ready[0] != fd {
		t.Fatalf("Wait = %v, %v; want [%d]", ready, err, fd)
	}
}
