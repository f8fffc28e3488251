package follow

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// readable waits up to timeout for fd to become readable.
func readable(t *testing.T, fd int, timeout time.Duration) bool {
	t.Helper()
	var set syscall.FdSet
	set.Bits[fd/64] |= 1 << (uint(fd) % 64)
	tv := syscall.NsecToTimeval(int64(timeout))
	n, err := syscall.Select(fd+1, &set, nil, nil, &tv)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestFile_ReportsWritesThenEndsWhenTheLastWriterCloses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.log")
	w, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got bytes.Buffer
	collect := func(c []byte) { got.Write(c) }

	if readable(t, f.FD(), 0) {
		t.Fatal("readable before any write")
	}
	w.WriteString("one\n")
	if !readable(t, f.FD(), 5*time.Second) {
		t.Fatal("a write was not reported")
	}
	if !f.ReadReady(1<<20, collect) {
		t.Fatal("ended while the writer has the file open")
	}
	if got.String() != "one\n" {
		t.Fatalf("read %q", got.String())
	}

	w.WriteString("two\n")
	w.Close()
	if !readable(t, f.FD(), 5*time.Second) {
		t.Fatal("the close was not reported")
	}
	if f.ReadReady(1<<20, collect) {
		t.Fatal("still open after the only writer closed the file")
	}
	if got.String() != "one\ntwo\n" {
		t.Fatalf("read %q", got.String())
	}
}

func TestFile_ReadReady_StopsNearLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.log")
	data := bytes.Repeat([]byte("x"), 3*readSize)
	w, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w.Write(data)
	w.Close()
	var got bytes.Buffer
	if !f.ReadReady(1, func(c []byte) { got.Write(c) }) || got.Len() != readSize {
		t.Fatalf("first call read %d bytes, want one read of %d", got.Len(), readSize)
	}
	for f.ReadReady(1<<20, func(c []byte) { got.Write(c) }) {
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("read %d bytes, want %d", got.Len(), len(data))
	}
}

func TestOpen_MissingFile_Fails(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("Open of a missing file succeeded")
	}
}

// A reader of a chunk may read the file again before it returns (a handler
// waiting for the writer does): the chunk it holds stays intact, and the
// two reads together get every byte once, in order.
func TestFile_ReadReadyCalledFromItsCallback_KeepsTheChunkAndTheOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.log")
	w, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	first := bytes.Repeat([]byte("a"), readSize)
	second := bytes.Repeat([]byte("b"), readSize)
	w.Write(first)
	var outer, inner bytes.Buffer
	nested := false
	f.ReadReady(readSize, func(chunk []byte) {
		if !nested {
			nested = true
			w.Write(second)
			f.ReadReady(1<<20, func(c []byte) { inner.Write(c) })
		}
		outer.Write(chunk)
	})
	if !bytes.Equal(outer.Bytes(), first) {
		t.Fatalf("the outer chunk was overwritten by the nested read: %q...", outer.Bytes()[:16])
	}
	if !bytes.Equal(inner.Bytes(), second) {
		t.Fatalf("the nested read got %d bytes, want the %d written after the first chunk", inner.Len(), len(second))
	}
}
