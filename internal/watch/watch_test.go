//go:build linux

package watch

import (
	"errors"
	"os"
	"slices"
	"testing"
	"time"
)

func pipeFD(t *testing.T, f *os.File) int {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	rc.Control(func(u uintptr) { fd = int(u) })
	return fd
}

func TestSet_WaitReportsReadableDescriptors(t *testing.T) {
	for _, mode := range []Mode{Park, Block} {
		testWaitReportsReadable(t, mode)
	}
}

func testWaitReportsReadable(t *testing.T, mode Mode) {
	s, err := New(mode)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r1, w1, _ := os.Pipe()
	r2, w2, _ := os.Pipe()
	defer r1.Close()
	defer w1.Close()
	defer r2.Close()
	defer w2.Close()
	fd1, fd2 := pipeFD(t, r1), pipeFD(t, r2)
	if err := s.Add(fd1); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(fd2); err != nil {
		t.Fatal(err)
	}

	go w2.WriteString("x")
	ready, err := s.Wait(time.Now().Add(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ready, []int{fd2}) {
		t.Fatalf("ready = %v, want [%d]", ready, fd2)
	}
	// Level-triggered: not drained, so reported again.
	ready, err = s.Wait(time.Now().Add(10 * time.Second))
	if err != nil || !slices.Contains(ready, fd2) {
		t.Fatalf("second Wait = %v, %v; want %d again", ready, err, fd2)
	}
	// A closed writer reads as end of file: readable.
	if err := s.Remove(fd2); err != nil {
		t.Fatal(err)
	}
	w1.Close()
	ready, err = s.Wait(time.Now().Add(10 * time.Second))
	if err != nil || !slices.Equal(ready, []int{fd1}) {
		t.Fatalf("after hang-up: %v, %v; want [%d]", ready, err, fd1)
	}
}

func TestSet_WaitHonoursDeadline(t *testing.T) {
	for _, mode := range []Mode{Park, Block} {
		testWaitHonoursDeadline(t, mode)
	}
}

func testWaitHonoursDeadline(t *testing.T, mode Mode) {
	s, err := New(mode)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, w, _ := os.Pipe()
	defer r.Close()
	defer w.Close()
	if err := s.Add(pipeFD(t, r)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Wait(time.Now().Add(50 * time.Millisecond))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Wait = %v, want os.ErrDeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait ignored its deadline")
	}
}
