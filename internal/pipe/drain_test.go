package pipe

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

func collect(t *testing.T, f *os.File) (string, error) {
	t.Helper()
	var got bytes.Buffer
	err := Drain(f, func(chunk []byte) { got.Write(chunk) })
	return got.String(), err
}

func TestDrain_ReadsEverythingUntilEOF(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	want := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB, > pipe capacity
	go func() {
		w.WriteString(want)
		w.Close()
	}()
	got, err := collect(t, r)
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if got != want {
		t.Fatalf("got %d bytes, want %d", len(got), len(want))
	}
}

func TestDrain_DeadlineDeliversWhatIsBufferedThenReturns(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close() // the writer stays open: no EOF will come
	if _, err := w.WriteString("written before the deadline"); err != nil {
		t.Fatal(err)
	}
	if err := r.SetReadDeadline(time.Now()); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var got string
	go func() {
		defer close(done)
		got, err = collect(t, r)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Drain kept waiting after its deadline")
	}
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if got != "written before the deadline" {
		t.Fatalf("got %q", got)
	}
}

func TestDrain_DeadlineWhileWaiting(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	done := make(chan string)
	go func() {
		var got bytes.Buffer
		Drain(r, func(chunk []byte) {
			got.Write(chunk)
			if got.String() == "first" {
				// Written while Drain is busy: must still arrive.
				w.WriteString(" second")
				r.SetReadDeadline(time.Now())
			}
		})
		done <- got.String()
	}()
	w.WriteString("first")
	select {
	case got := <-done:
		if got != "first second" {
			t.Fatalf("got %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Drain kept waiting after its deadline")
	}
}

func TestDrain_TerminalEIOIsEndOfOutput(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	if _, err := tty.WriteString("last words\n"); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	got, err := collect(t, master)
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if !strings.Contains(got, "last words") {
		t.Fatalf("got %q", got)
	}
}
