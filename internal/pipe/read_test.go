//go:build unix

package pipe

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/creack/pty"
)

func rawFD(t *testing.T, f *os.File) int {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	rc.Control(func(u uintptr) { fd = int(u) })
	return fd
}

func TestReadReady_ReadsWhatIsThereWithoutWaiting(t *testing.T) {
	r, w, err := Output()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close() // the writer stays open: no end of file
	w.WriteString("ready now")
	var got bytes.Buffer
	if open := ReadReady(rawFD(t, r), 1<<20, func(c []byte) { got.Write(c) }); !open {
		t.Fatal("stream reported ended while its writer is open")
	}
	if got.String() != "ready now" {
		t.Fatalf("got %q", got.String())
	}
}

func TestReadReady_StopsNearLimitAndReportsEnd(t *testing.T) {
	r, w, err := Output()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	want := strings.Repeat("x", 48<<10) // fits in the pipe buffer
	w.WriteString(want)
	w.Close()
	fd := rawFD(t, r)
	var got bytes.Buffer
	if open := ReadReady(fd, 1, func(c []byte) { got.Write(c) }); !open {
		t.Fatal("ended before the data was read")
	}
	if got.Len() == 0 || got.Len() > chunkSize {
		t.Fatalf("first call read %d bytes, want one chunk", got.Len())
	}
	for ReadReady(fd, 1<<20, func(c []byte) { got.Write(c) }) {
	}
	if got.String() != want {
		t.Fatalf("read %d bytes, want %d", got.Len(), len(want))
	}
}

func TestReadReady_TerminalEIOIsEndOfStream(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	tty.WriteString("last words\n")
	tty.Close()
	var got bytes.Buffer
	fd := int(master.Fd()) // blocking is fine: data and then EIO are ready
	for ReadReady(fd, 1<<20, func(c []byte) { got.Write(c) }) {
	}
	if !strings.Contains(got.String(), "last words") {
		t.Fatalf("got %q", got.String())
	}
}
