package output

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// feedAll feeds each piece in turn, then flushes, and returns every emitted
// line as a string.
func feedAll(l *Lines, pieces ...[]byte) []string {
	out := []string{}
	emit := func(line []byte) { out = append(out, string(line)) }
	for _, p := range pieces {
		l.Feed(p, emit)
	}
	l.Flush(emit)
	return out
}

// refLines is a deliberately simple byte-at-a-time model of the splitting
// rules, used as the oracle for the real implementation.
func refLines(input []byte, maxLine int) []string {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	out := []string{}
	var cur []byte
	inCR := false // the previous byte was a "\r" of a terminator
	for _, c := range input {
		if inCR {
			if c == '\r' {
				continue // the "\r" run goes on
			}
			inCR = false
			if c == '\n' {
				continue // the "\n" that closes the run
			}
		}
		switch c {
		case '\r':
			out = append(out, string(cur))
			cur = cur[:0]
			inCR = true
		case '\n':
			out = append(out, string(cur))
			cur = cur[:0]
		default:
			if len(cur) == maxLine {
				out = append(out, string(cur))
				cur = cur[:0]
			}
			cur = append(cur, c)
		}
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

func TestLines_Feed_SplitsOnLineEndings(t *testing.T) {
	tests := []struct {
		name    string
		maxLine int
		input   string
		want    []string
	}{
		{"empty input", 0, "", []string{}},
		{"LF", 0, "a\nbb\nccc\n", []string{"a", "bb", "ccc"}},
		{"CRLF", 0, "a\r\nbb\r\nccc\r\n", []string{"a", "bb", "ccc"}},
		{"lone CR", 0, "10%\r20%\r30%\r", []string{"10%", "20%", "30%"}},
		{"mixed endings", 0, "a\nb\r\nc\rd\n", []string{"a", "b", "c", "d"}},
		{"LF CR is two endings", 0, "a\n\rb\n", []string{"a", "", "b"}},
		{"CR CR LF is one ending", 0, "a\r\r\nb", []string{"a", "b"}},
		{"empty lines", 0, "a\n\nb\n", []string{"a", "", "b"}},
		{"only newlines", 0, "\n\n\n", []string{"", "", ""}},
		{"only CRLFs", 0, "\r\n\r\n", []string{"", ""}},
		{"final line without newline", 0, "a\nlast", []string{"a", "last"}},
		{"single partial line", 0, "no newline", []string{"no newline"}},
		{"progress then newline", 0, "1/3\r2/3\r3/3\ndone\n", []string{"1/3", "2/3", "3/3", "done"}},
		{"line longer than max", 4, "abcdefghij\n", []string{"abcd", "efgh", "ij"}},
		{"line exactly max", 4, "abcd\nef\n", []string{"abcd", "ef"}},
		{"line exactly twice max", 4, "abcdefgh\n", []string{"abcd", "efgh"}},
		{"long final line", 3, "abcdefg", []string{"abc", "def", "g"}},
		{"long line with CR", 2, "abcde\rxy\r\n", []string{"ab", "cd", "e", "xy"}},
		{"max one", 1, "ab\n\nc", []string{"a", "b", "", "c"}},
		{"binary and NUL bytes kept", 0, "a\x00b\xff\n", []string{"a\x00b\xff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := feedAll(NewLines(tt.maxLine), []byte(tt.input))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("lines = %q, want %q", got, tt.want)
			}
			if ref := refLines([]byte(tt.input), tt.maxLine); !slices.Equal(ref, tt.want) {
				t.Fatalf("reference model disagrees with the table: %q", ref)
			}
		})
	}
}

func TestLines_Feed_CRLFSplitAcrossFeeds_IsOneLineEnding(t *testing.T) {
	tests := []struct {
		name   string
		pieces []string
		want   []string
	}{
		{"CR | LF", []string{"a\r", "\nb\n"}, []string{"a", "b"}},
		{"CR | LF alone | rest", []string{"a\r", "\n", "b\n"}, []string{"a", "b"}},
		{"CR | empty | LF", []string{"a\r", "", "\nb"}, []string{"a", "b"}},
		{"CR | CR", []string{"a\r", "\rb"}, []string{"a", "b"}},
		{"CR | CR | LF", []string{"a\r", "\r", "\nb"}, []string{"a", "b"}},
		{"CR | CR CR LF", []string{"a\r", "\r\r\nb"}, []string{"a", "b"}},
		{"CR | CR | text", []string{"a\r", "\r", "b"}, []string{"a", "b"}},
		{"CR | LF CR LF", []string{"a\r", "\n\r\nb"}, []string{"a", "", "b"}},
		{"CR | text", []string{"a\r", "b\n"}, []string{"a", "b"}},
		{"CR | LF LF", []string{"a\r", "\n\n"}, []string{"a", ""}},
		{"partial CR | LF", []string{"ab", "c\r", "\nd"}, []string{"abc", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pieces [][]byte
			for _, p := range tt.pieces {
				pieces = append(pieces, []byte(p))
			}
			if got := feedAll(NewLines(0), pieces...); !slices.Equal(got, tt.want) {
				t.Fatalf("lines = %q, want %q", got, tt.want)
			}
		})
	}
}

// sampleInput mixes every kind of line ending, empty lines, a line longer
// than the maxLine used with it (8) and a final line without a terminator.
const sampleInput = "first\nsecond\r\nthird\rprogress 1\rprogress 2\r\n\n\r\n" +
	"a-line-much-longer-than-eight\r\r\nexactly8\n12345678\r\nx\r\n\rtail-without-newline"

// checkEverySplit feeds in to a single Lines (reused, so Flush must reset
// it) whole, split at every position, split at every pair of positions and
// byte by byte, and requires want from each.
func checkEverySplit(t *testing.T, in []byte, maxLine int, want []string) {
	t.Helper()
	l := NewLines(maxLine)
	if got := feedAll(l, in); !slices.Equal(got, want) {
		t.Fatalf("maxLine %d, whole: lines = %q, want %q", maxLine, got, want)
	}
	for i := 0; i <= len(in); i++ {
		if got := feedAll(l, in[:i], in[i:]); !slices.Equal(got, want) {
			t.Fatalf("maxLine %d, split at %d: lines = %q, want %q", maxLine, i, got, want)
		}
		for j := i; j <= len(in); j++ {
			if got := feedAll(l, in[:i], in[i:j], in[j:]); !slices.Equal(got, want) {
				t.Fatalf("maxLine %d, split at %d and %d: lines = %q, want %q", maxLine, i, j, got, want)
			}
		}
	}
	var bytewise [][]byte
	for i := range in {
		bytewise = append(bytewise, in[i:i+1])
	}
	if got := feedAll(l, bytewise...); !slices.Equal(got, want) {
		t.Fatalf("maxLine %d, byte by byte: lines = %q, want %q", maxLine, got, want)
	}
}

func TestLines_Feed_EverySplitPoint_GivesSameLinesAsWhole(t *testing.T) {
	for _, maxLine := range []int{0, 8, 1, 3} {
		in := []byte(sampleInput)
		whole := feedAll(NewLines(maxLine), in)
		if ref := refLines(in, maxLine); !slices.Equal(whole, ref) {
			t.Fatalf("maxLine %d: whole = %q, reference = %q", maxLine, whole, ref)
		}
		checkEverySplit(t, in, maxLine, whole)
	}
}

// The terminator rule: a "\n" alone, or a run of "\r" with the "\n" that
// follows it if any, ends exactly one line (issue: a PTY's ONLCR turns a
// child's "\r\n" into "\r\r\n", which gave an extra empty line).
func TestLines_Feed_CRRunTerminator_EndsOneLine_AtEverySplit(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"LF", "a\nb", []string{"a", "b"}},
		{"CR LF", "a\r\nb", []string{"a", "b"}},
		{"CR CR LF (PTY ONLCR)", "a\r\r\nb", []string{"a", "b"}},
		{"PTY output of printf a\\r\\nb\\r\\nc", "a\r\r\nb\r\r\nc", []string{"a", "b", "c"}},
		{"long CR run then LF", "a\r\r\r\r\nb\n", []string{"a", "b"}},
		{"progress with repeated CR", "50%\r\r60%\r", []string{"50%", "60%"}},
		{"CR run at end of stream", "a\r\r\r", []string{"a"}},
		{"CR run then text", "a\r\r\rb", []string{"a", "b"}},
		{"LF LF gives an empty line", "a\n\nb", []string{"a", "", "b"}},
		{"CRLF CRLF gives an empty line", "a\r\n\r\nb", []string{"a", "", "b"}},
		{"CRCRLF CRCRLF gives an empty line", "a\r\r\n\r\r\nb", []string{"a", "", "b"}},
		{"CR LF LF gives an empty line", "a\r\n\nb", []string{"a", "", "b"}},
		{"CR CR LF LF gives an empty line", "a\r\r\n\nb", []string{"a", "", "b"}},
		{"LF then CR run is two endings", "a\n\r\rb", []string{"a", "", "b"}},
		{"LF then CR LF is two endings", "a\n\r\nb", []string{"a", "", "b"}},
		{"leading CR run", "\r\r\nb", []string{"", "b"}},
		{"only CR runs and LFs", "\r\r\n\n\r", []string{"", "", ""}},
		{"empty line between progress", "1\r\r\n\r2\r", []string{"1", "", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.input)
			if ref := refLines(in, 0); !slices.Equal(ref, tt.want) {
				t.Fatalf("reference model disagrees with the table: %q", ref)
			}
			checkEverySplit(t, in, 0, tt.want)
		})
	}
}

func TestLines_Feed_CRRunTerminator_WithChunking_AtEverySplit(t *testing.T) {
	tests := []struct {
		name    string
		maxLine int
		input   string
		want    []string
	}{
		{"chunked line then CR CR LF", 2, "abcde\r\r\nf", []string{"ab", "cd", "e", "f"}},
		{"exact multiple then CR run", 2, "abcd\r\r\rxy\r\r\n", []string{"ab", "cd", "xy"}},
		{"max one", 1, "ab\r\r\n\r\ncd\r\r", []string{"a", "b", "", "c", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.input)
			if ref := refLines(in, tt.maxLine); !slices.Equal(ref, tt.want) {
				t.Fatalf("reference model disagrees with the table: %q", ref)
			}
			checkEverySplit(t, in, tt.maxLine, tt.want)
		})
	}
}

func TestLines_Feed_RandomInputAndSplits_MatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("ab\r\n")
	for iter := 0; iter < 2000; iter++ {
		in := make([]byte, rng.IntN(200))
		for i := range in {
			in[i] = alphabet[rng.IntN(len(alphabet))]
		}
		maxLine := rng.IntN(12)
		var pieces [][]byte
		for rest := in; len(rest) > 0; {
			n := rng.IntN(min(len(rest), 40) + 1)
			pieces = append(pieces, rest[:n])
			rest = rest[n:]
		}
		got := feedAll(NewLines(maxLine), pieces...)
		if want := refLines(in, maxLine); !slices.Equal(got, want) {
			t.Fatalf("input %q, maxLine %d, %d pieces: lines = %q, want %q", in, maxLine, len(pieces), got, want)
		}
	}
}

func TestLines_Feed_HugeLine_EmittedInMaxLineChunks(t *testing.T) {
	const size = 3 << 20
	line := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	l := NewLines(0)
	var chunks, total int
	emit := func(b []byte) {
		chunks++
		total += len(b)
		if len(b) != DefaultMaxLine {
			t.Fatalf("chunk %d has %d bytes, want %d", chunks, len(b), DefaultMaxLine)
		}
		if !bytes.Equal(b, line[total-len(b):total]) {
			t.Fatalf("chunk %d does not match its part of the line", chunks)
		}
	}
	for i := 0; i < size; i += 32 << 10 {
		l.Feed(line[i:i+32<<10], emit)
		if cap(l.pending) > DefaultMaxLine {
			t.Fatalf("pending buffer grew to %d bytes, beyond maxLine", cap(l.pending))
		}
		if want := i + 32<<10 - DefaultMaxLine; total < want {
			t.Fatalf("after %d bytes only %d were emitted: the line stalls", i+32<<10, total)
		}
	}
	l.Flush(emit)
	if total != size || chunks != size/DefaultMaxLine {
		t.Fatalf("emitted %d bytes in %d chunks, want %d bytes in %d chunks", total, chunks, size, size/DefaultMaxLine)
	}
	if l.pending != nil {
		t.Fatalf("pending buffer of %d bytes kept after Flush, want it released", cap(l.pending))
	}
}

func TestLines_Feed_HugeLineInOnePiece_NoPendingCopy(t *testing.T) {
	const maxLine = 1000
	line := bytes.Repeat([]byte("x"), 10*maxLine+1)
	l := NewLines(maxLine)
	var sizes []int
	l.Feed(append(line, '\n'), func(b []byte) { sizes = append(sizes, len(b)) })
	if len(sizes) != 11 || sizes[10] != 1 {
		t.Fatalf("chunk sizes = %v, want ten of %d then 1", sizes, maxLine)
	}
	if l.pending != nil {
		t.Fatalf("a pending buffer was allocated for lines wholly inside the input")
	}
}

func TestLines_Feed_CarriageReturnProgress_OneLinePerUpdate_BoundedMemory(t *testing.T) {
	const updates = 20000
	var stream bytes.Buffer
	for i := 0; i < updates; i++ {
		fmt.Fprintf(&stream, "downloading %5d/%d [%-20s]\r", i, updates, strings.Repeat("=", i%21))
	}
	in := stream.Bytes()
	l := NewLines(0)
	var n int
	emit := func(b []byte) {
		if want := fmt.Sprintf("downloading %5d/%d", n, updates); !bytes.HasPrefix(b, []byte(want)) {
			t.Fatalf("line %d = %q, want prefix %q", n, b, want)
		}
		n++
	}
	for i := 0; i < len(in); i += 4093 { // an odd size so updates straddle pieces
		l.Feed(in[i:min(i+4093, len(in))], emit)
		if cap(l.pending) > pendingKeep {
			t.Fatalf("pending buffer grew to %d bytes on \\r-only output", cap(l.pending))
		}
	}
	l.Flush(emit)
	if n != updates {
		t.Fatalf("emitted %d lines, want %d", n, updates)
	}
}

func TestLines_Flush_EmitsFinalLineWithoutNewline(t *testing.T) {
	l := NewLines(0)
	var got []string
	emit := func(b []byte) { got = append(got, string(b)) }
	l.Feed([]byte("one\ntw"), emit)
	l.Feed([]byte("o"), emit)
	if !slices.Equal(got, []string{"one"}) {
		t.Fatalf("before Flush: lines = %q, want [one]", got)
	}
	l.Flush(emit)
	if !slices.Equal(got, []string{"one", "two"}) {
		t.Fatalf("after Flush: lines = %q, want [one two]", got)
	}
	l.Flush(emit)
	if len(got) != 2 {
		t.Fatalf("second Flush emitted again: %q", got)
	}
}

func TestLines_Flush_NothingPending_EmitsNothing(t *testing.T) {
	for _, in := range []string{"", "a\n", "a\r", "a\r\r", "a\r\n", "a\r\r\n", "\n\n", "\r\r"} {
		l := NewLines(0)
		l.Feed([]byte(in), func([]byte) {})
		l.Flush(func(b []byte) { t.Fatalf("input %q: Flush emitted %q", in, b) })
	}
}

func TestLines_Flush_ResetsPendingCR(t *testing.T) {
	for _, first := range []string{"a\r", "a\r\r"} {
		l := NewLines(0)
		got := feedAll(l, []byte(first))
		got = append(got, feedAll(l, []byte("\nb\n"))...)
		if want := []string{"a", "", "b"}; !slices.Equal(got, want) {
			t.Fatalf("first %q: lines = %q, want %q: a \\n after Flush starts a new stream", first, got, want)
		}
	}
}

func TestLines_Feed_LinesInsideInputAliasInputWithoutCopy(t *testing.T) {
	in := []byte("alpha\nbeta\r\n")
	l := NewLines(0)
	l.Feed(in, func(b []byte) {
		if len(b) == 0 {
			return
		}
		off := bytes.Index(in, b)
		if off < 0 || &in[off] != &b[0] {
			t.Fatalf("line %q is not a sub-slice of the input", b)
		}
		if cap(b) != len(b) {
			t.Fatalf("line %q has spare capacity %d: appending would overwrite the input", b, cap(b)-len(b))
		}
	})
	if l.pending != nil {
		t.Fatalf("pending buffer allocated although no partial line was left")
	}
}

func TestLines_NewLines_AllocatesNothingAndDefaults(t *testing.T) {
	for _, m := range []int{0, -1} {
		l := NewLines(m)
		if l.max != DefaultMaxLine || l.pending != nil {
			t.Fatalf("NewLines(%d): max %d, pending cap %d; want %d and no buffer", m, l.max, cap(l.pending), DefaultMaxLine)
		}
	}
}

func TestLines_ZeroValue_UsesDefaultMaxLine(t *testing.T) {
	var l Lines
	in := append(bytes.Repeat([]byte("z"), DefaultMaxLine+1), "\nok"...)
	got := feedAll(&l, in)
	if len(got) != 3 || len(got[0]) != DefaultMaxLine || got[1] != "z" || got[2] != "ok" {
		t.Fatalf("zero-value Lines gave %d lines, want chunk of %d, \"z\", \"ok\"", len(got), DefaultMaxLine)
	}
}

func TestLines_Feed_SteadyState_DoesNotAllocate(t *testing.T) {
	l := NewLines(0)
	chunk := []byte("a line\r\nanother\npartial ")
	emit := func([]byte) {}
	l.Feed(chunk, emit) // first partial line allocates the pending buffer once
	if allocs := testing.AllocsPerRun(100, func() { l.Feed(chunk, emit) }); allocs != 0 {
		t.Fatalf("Feed allocates %.1f times per call in steady state, want 0", allocs)
	}
}

func TestLines_LongPartialLine_ReleasesLargePendingBuffer(t *testing.T) {
	l := NewLines(0)
	emit := func([]byte) {}
	l.Feed(bytes.Repeat([]byte("y"), 10<<10), emit)
	if cap(l.pending) <= pendingKeep {
		t.Fatalf("setup: pending cap %d, expected a large buffer", cap(l.pending))
	}
	l.Feed([]byte("end\n"), emit)
	if l.pending != nil {
		t.Fatalf("pending buffer of %d bytes kept after the long line ended", cap(l.pending))
	}

	// A small buffer is kept for reuse.
	l.Feed([]byte("short"), emit)
	l.Feed([]byte("\n"), emit)
	if cap(l.pending) == 0 || cap(l.pending) > pendingKeep {
		t.Fatalf("small pending buffer: cap %d, want kept and ≤ %d", cap(l.pending), pendingKeep)
	}
}

// checkLinesInvariants checks the emitted lines of in against properties
// that do not depend on the reference model.
func checkLinesInvariants(t *testing.T, in []byte, maxLine int, lines []string) {
	t.Helper()
	var joined strings.Builder
	for _, s := range lines {
		if len(s) > maxLine {
			t.Fatalf("line of %d bytes exceeds maxLine %d", len(s), maxLine)
		}
		if strings.ContainsAny(s, "\r\n") {
			t.Fatalf("line %q contains a terminator", s)
		}
		joined.WriteString(s)
	}
	stripped := strings.NewReplacer("\r", "", "\n", "").Replace(string(in))
	if joined.String() != stripped {
		t.Fatalf("lines concatenated = %q, want the input without terminators %q", joined.String(), stripped)
	}
}

// crRunTerminator matches a terminator that starts with "\r".
var crRunTerminator = regexp.MustCompile(`\r+\n?`)

func FuzzLines(f *testing.F) {
	f.Add([]byte(sampleInput), uint16(7), uint8(8))
	f.Add([]byte("a\r\nb"), uint16(2), uint8(0))
	f.Add([]byte("\r\r\n\n"), uint16(1), uint8(1))
	f.Add([]byte("50%\r\r60%\r\r\r\nx"), uint16(5), uint8(0))
	f.Add([]byte("abcdefgh\n"), uint16(4), uint8(4))
	f.Fuzz(func(t *testing.T, in []byte, split uint16, maxLine uint8) {
		at := int(split) % (len(in) + 1)
		m := int(maxLine) // 0 selects DefaultMaxLine
		whole := feedAll(NewLines(m), in)
		parts := feedAll(NewLines(m), in[:at], in[at:])
		if !slices.Equal(whole, parts) {
			t.Fatalf("split at %d: lines = %q, whole = %q", at, parts, whole)
		}
		if m == 0 {
			m = DefaultMaxLine
		}
		checkLinesInvariants(t, in, m, whole)

		// Without chunking, the lines followed by "\n" rebuild the input
		// with every terminator (a run of "\r" and the "\n" after it, if
		// any) normalised to "\n".
		unbounded := feedAll(NewLines(len(in)+1), in)
		norm := crRunTerminator.ReplaceAllString(string(in), "\n")
		if norm != "" && !strings.HasSuffix(norm, "\n") {
			norm += "\n"
		}
		var rebuilt strings.Builder
		for _, s := range unbounded {
			rebuilt.WriteString(s)
			rebuilt.WriteByte('\n')
		}
		if rebuilt.String() != norm {
			t.Fatalf("lines + terminators = %q, want normalised input %q", rebuilt.String(), norm)
		}
	})
}

var (
	benchOnce sync.Once
	benchLF   []byte // 64 MiB of 72-byte lines ending in "\n"
	benchCRLF []byte // the same lines ending in "\r\n"
)

func benchInput(b *testing.B) (lf, crlf []byte) {
	b.Helper()
	benchOnce.Do(func() {
		const size = 64 << 20
		var line [72]byte
		for i := range 71 {
			line[i] = 'a' + byte(i%26)
		}
		line[71] = '\n'
		benchLF = bytes.Repeat(line[:], size/len(line))
		line[70], line[71] = '\r', '\n'
		benchCRLF = bytes.Repeat(line[:], size/len(line))
	})
	return benchLF, benchCRLF
}

func benchFeed(b *testing.B, in []byte) {
	const chunk = 32 << 10
	l := NewLines(0)
	var lines int
	emit := func([]byte) { lines++ }
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := 0; i < len(in); i += chunk {
			l.Feed(in[i:min(i+chunk, len(in))], emit)
		}
		l.Flush(emit)
	}
	if lines == 0 {
		b.Fatal("no lines emitted")
	}
}

// BenchmarkLines_Feed feeds 64 MiB of 72-byte lines (71 characters + "\n")
// in 32 KiB pieces, the shape of a chatty child's pipe reads.
func BenchmarkLines_Feed(b *testing.B) {
	lf, _ := benchInput(b)
	benchFeed(b, lf)
}

// BenchmarkLines_FeedCRLF is BenchmarkLines_Feed with "\r\n" endings.
func BenchmarkLines_FeedCRLF(b *testing.B) {
	_, crlf := benchInput(b)
	benchFeed(b, crlf)
}

// The scan benchmarks compare ways of finding every line ending in the same
// input and 32 KiB pieces as BenchmarkLines_Feed, to justify Feed's choice of
// cached bytes.IndexByte searches over bytes.IndexAny or a byte loop.

func benchScan(b *testing.B, count func(p []byte) int) {
	lf, _ := benchInput(b)
	const chunk = 32 << 10
	b.SetBytes(int64(len(lf)))
	for b.Loop() {
		n := 0
		for i := 0; i < len(lf); i += chunk {
			n += count(lf[i:min(i+chunk, len(lf))])
		}
		if n != len(lf)/72 {
			b.Fatalf("found %d line endings, want %d", n, len(lf)/72)
		}
	}
}

func BenchmarkScan_IndexAny(b *testing.B) {
	benchScan(b, func(p []byte) int {
		n := 0
		for {
			i := bytes.IndexAny(p, "\r\n")
			if i < 0 {
				return n
			}
			n++
			p = p[i+1:]
		}
	})
}

func BenchmarkScan_ByteLoop(b *testing.B) {
	benchScan(b, func(p []byte) int {
		n := 0
		for _, c := range p {
			if c == '\n' || c == '\r' {
				n++
			}
		}
		return n
	})
}

func BenchmarkScan_IndexByteCached(b *testing.B) {
	benchScan(b, func(p []byte) int {
		n := 0
		nextLF, nextCR := -1, -1
		for start := 0; start < len(p); {
			if nextLF < start {
				nextLF = indexFrom(p, start, '\n')
			}
			if nextCR < start {
				nextCR = indexFrom(p, start, '\r')
			}
			end := min(nextLF, nextCR)
			if end == len(p) {
				return n
			}
			n++
			start = end + 1
		}
		return n
	})
}
