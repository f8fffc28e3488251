package output

import (
	"bytes"
	"strings"
	"testing"
)

// packChunk splits chunk into lines with a Lines and makes each a string
// with p, as the supervisor does.
func packChunk(p *Packer, l *Lines, chunk []byte) []string {
	var got []string
	p.Start(len(chunk))
	l.Feed(chunk, func(line []byte) { got = append(got, p.String(line)) })
	p.Stop()
	return got
}

func TestPacker_StringsEqualTheLines(t *testing.T) {
	var p Packer
	l := NewLines(0)
	chunk := []byte("alpha\n\nbeta\r\ngamma\n" + strings.Repeat("x", PackBlock+10) + "\nend\n")
	got := packChunk(&p, l, chunk)
	want := []string{"alpha", "", "beta", "gamma", strings.Repeat("x", PackBlock+10), "end"}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %.20q (%d bytes), want %.20q (%d bytes)", i, got[i], len(got[i]), want[i], len(want[i]))
		}
	}
}

func TestPacker_StringsNeverChangeAfterLaterLines(t *testing.T) {
	var p Packer
	l := NewLines(0)
	buf := make([]byte, 0, 64<<10)
	var kept []string
	var want []string
	for round := range 50 {
		buf = buf[:0]
		var lines []string
		for i := range 100 {
			line := strings.Repeat(string(rune('a'+(round+i)%26)), 1+(round*7+i)%90)
			lines = append(lines, line)
			buf = append(buf, line...)
			buf = append(buf, '\n')
		}
		kept = append(kept, packChunk(&p, l, buf)...)
		want = append(want, lines...)
		// The reader reuses its buffer: the strings must not alias it.
		for i := range buf {
			buf[i] = '#'
		}
	}
	for i := range want {
		if kept[i] != want[i] {
			t.Fatalf("line %d changed to %.20q, want %.20q", i, kept[i], want[i])
		}
	}
}

func TestPacker_ManyShortLinesShareOneAllocation(t *testing.T) {
	line := strings.Repeat("y", 71) + "\n"
	chunk := []byte(strings.Repeat(line, PackBlock/len(line))) // under one block
	var p Packer
	l := NewLines(0)
	var sink string
	emit := func(b []byte) { sink = p.String(b) }
	allocs := testing.AllocsPerRun(100, func() {
		p.Start(len(chunk))
		l.Feed(chunk, emit)
		p.Stop()
	})
	if allocs != 1 {
		t.Errorf("%v allocations for %d lines, want 1", allocs, bytes.Count(chunk, []byte("\n")))
	}
	if sink != line[:71] {
		t.Errorf("last line = %q", sink)
	}
}

func TestPacker_AShortChunkMakesAShortBlock(t *testing.T) {
	var p Packer
	p.Start(6)
	s := p.String([]byte("hello"))
	if s != "hello" {
		t.Fatalf("got %q", s)
	}
	if c := p.block.Cap(); c > 16 { // 6 rounded up to a size class
		t.Errorf("block of %d bytes for a 6-byte chunk", c)
	}
	p.Stop()
	if c := p.block.Cap(); c != 0 {
		t.Errorf("Stop kept a block of %d bytes", c)
	}
}

func TestPacker_ALineFromEarlierChunksFitsEvenWhenLongerThanTheChunk(t *testing.T) {
	var p Packer
	p.Start(3) // the chunk "ld\n" ends a line begun earlier
	if s := p.String([]byte("hello world")); s != "hello world" {
		t.Fatalf("got %q", s)
	}
}
