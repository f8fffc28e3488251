//go:build linux

package watch

import (
	"errors"
	"fmt"
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

func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestSet_Park_HoldsNoDescriptorOfItsOwn(t *testing.T) {
	warm, err := New(Park) // the shared instance is made on first use
	if err != nil {
		t.Fatal(err)
	}
	warm.Close()
	before := openFDs(t)
	sets := make([]*Set, 100)
	for i := range sets {
		if sets[i], err = New(Park); err != nil {
			t.Fatal(err)
		}
	}
	if after := openFDs(t); after != before {
		t.Fatalf("100 Park sets opened %d descriptors, want 0", after-before)
	}
	for _, s := range sets {
		s.Close()
	}
}

// TestSet_Park_ManySetsEachSeeOnlyTheirOwn runs sets on many goroutines at
// once: every set gets exactly the bytes written to its own pipe, and a
// removed descriptor is never reported.
func TestSet_Park_ManySetsEachSeeOnlyTheirOwn(t *testing.T) {
	const sets, writes = 50, 20
	errs := make(chan error, sets)
	for range sets {
		go func() { errs <- pingPong(t, writes) }()
	}
	for range sets {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// pingPong writes one byte at a time to a pipe watched by a Park set and
// reads each back after Wait reports it.
func pingPong(t *testing.T, writes int) error {
	s, err := New(Park)
	if err != nil {
		return err
	}
	defer s.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	defer w.Close()
	fd := pipeFD(t, r)
	if err := s.Add(fd); err != nil {
		return err
	}
	buf := make([]byte, 8)
	for i := range writes {
		if _, err := w.Write([]byte{byte(i)}); err != nil {
			return err
		}
		ready, err := s.Wait(time.Now().Add(10 * time.Second))
		if err != nil {
			return err
		}
		if !slices.Equal(ready, []int{fd}) {
			return fmt.Errorf("write %d: ready = %v, want [%d]", i, ready, fd)
		}
		if n, err := r.Read(buf); err != nil || n != 1 || buf[0] != byte(i) {
			return fmt.Errorf("write %d: read %d bytes %v, %v", i, n, buf[:n], err)
		}
	}
	if err := s.Remove(fd); err != nil {
		return err
	}
	w.Write([]byte{1})
	if ready, err := s.Wait(time.Now().Add(20 * time.Millisecond)); !errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("after Remove: Wait = %v, %v; want a deadline error", ready, err)
	}
	return nil
}
