package output

import "bytes"

// DefaultMaxLine is the longest line, in bytes, that Lines emits in one piece
// when NewLines is given a maxLine ≤ 0. Longer lines are emitted in chunks.
const DefaultMaxLine = 64 << 10

const (
	// pendingMinAlloc is the smallest pending buffer Lines allocates.
	pendingMinAlloc = 256
	// pendingKeep is the largest pending buffer capacity kept once a line
	// has ended; larger buffers are released so an idle process that once
	// printed a long line does not hold on to them.
	pendingKeep = 4 << 10
)

// Lines splits a byte stream, delivered in arbitrary pieces, into lines.
//
// A line ends at a terminator, which is not part of the line. A terminator
// is either a "\n" on its own, or a run of one or more "\r" together with
// the "\n" that immediately follows the run, if one does. Each terminator
// ends exactly one line, so:
//
//   - "a\nb", "a\r\nb" and "a\r\r\nb" all give "a", "b". A terminal
//     whose ONLCR mode turns every "\n" into "\r\n" sends "\r\r\n" for
//     a program's "\r\n"; this still ends one line.
//   - A run of "\r" not followed by "\n" (followed by another byte, or
//     by the end of the stream) ends one line, however long the run:
//     "50%\r\r60%\r" gives "50%", "60%". Progress-bar output, which
//     rewrites one terminal line with "\r", thus gives one line per update
//     and never accumulates.
//   - Empty lines are emitted as empty slices: "a\n\nb" and "a\r\n\r\nb"
//     give "a", "", "b"; "a\n\rb" (a "\n", then a "\r" run) gives the
//     same.
//
// A line is emitted as soon as the first byte of its terminator arrives,
// without waiting to see whether more "\r" or a "\n" follow; those bytes
// are then consumed silently, even when they arrive in later Feed calls.
//
// A line longer than the maximum is emitted in consecutive chunks of exactly
// maxLine bytes followed by the remainder (1..maxLine bytes) when the line
// ends; a line of exactly k×maxLine bytes gives k chunks and no empty tail.
// Memory held between calls is therefore bounded by maxLine, however long the
// line, and Feed never waits for a terminator before making progress.
//
// The result depends only on the bytes fed and their order, not on how they
// are split across Feed calls.
//
// The pending buffer (holding a partial line between Feed calls) is
// allocated only when needed and released after a line that needed more
// than 4 KiB of it ends. The zero value is ready to use, with
// DefaultMaxLine. A Lines is not safe for concurrent use, and emit must not
// call Feed or Flush on the same Lines.
type Lines struct {
	max     int
	pending []byte // partial line carried over from earlier Feed calls
	cr      bool   // the bytes fed so far end in a run of "\r" that ended a line
}

// NewLines returns a Lines that emits lines of at most maxLine bytes,
// splitting longer ones into chunks; maxLine ≤ 0 means DefaultMaxLine.
// NewLines allocates no buffer.
func NewLines(maxLine int) *Lines {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return &Lines{max: maxLine}
}

// Feed consumes p and calls emit once for each line completed by it (and
// for each maxLine-byte chunk of an over-long line), in order, without the
// line terminator. A trailing partial line is kept until a later Feed
// completes it or Flush emits it.
//
// The line passed to emit is valid only during that call: it may alias p
// or the internal pending buffer, and both are reused. Copy it (for example
// with string(line)) to keep it. Lines that lie wholly inside p are passed
// as sub-slices of p without copying; only a partial line at the end of p
// is copied. Feed does not retain p. emit must not be nil.
func (l *Lines) Feed(p []byte, emit func(line []byte)) {
	if len(p) == 0 {
		return
	}
	if l.max <= 0 {
		l.max = DefaultMaxLine // zero value
	}
	if l.cr {
		// A "\r" run ended the previous piece and its line: more "\r"
		// and one "\n" starting this piece belong to the same terminator.
		i := skipCR(p, 0)
		if i == len(p) {
			return // still in the run
		}
		l.cr = false
		if p[i] == '\n' {
			i++
		}
		p = p[i:]
	}
	// nextLF and nextCR cache the position of the next '\n' and '\r' at
	// or after start (len(p) when there is none), so each byte of p is
	// scanned at most once for each of them with the vectorised
	// bytes.IndexByte; this beats bytes.IndexAny, which loops byte by byte.
	nextLF, nextCR := -1, -1
	start := 0
	for start < len(p) {
		if nextLF < start {
			nextLF = indexFrom(p, start, '\n')
		}
		if nextCR < start {
			nextCR = indexFrom(p, start, '\r')
		}
		end := min(nextLF, nextCR)
		if end == len(p) {
			l.keep(p[start:], emit)
			return
		}
		l.line(p[start:end:end], emit)
		start = end + 1
		if p[end] == '\r' {
			// The rest of the "\r" run, and a "\n" after it, belong to
			// this terminator.
			if start = skipCR(p, start); start == len(p) {
				l.cr = true // the run may go on in the next piece
				return
			}
			if p[start] == '\n' {
				start++
			}
		}
	}
}

// Flush emits the pending partial line, if there is one (a final line that
// had no terminator), and resets the Lines to its initial state, including
// a "\r" run at the end of the last piece that a later "\n" could have
// completed (its line was already emitted, so this emits nothing extra;
// a "\n" fed after Flush ends an empty line). It emits nothing when no
// partial line is pending. The same validity rule as for Feed
// applies to the line passed to emit.
func (l *Lines) Flush(emit func(line []byte)) {
	if n := len(l.pending); n > 0 {
		emit(l.pending[:n:n])
	}
	l.endLine()
	l.cr = false
}

// skipCR returns the index of the first byte of p at or after i that is not
// "\r", or len(p) if there is none.
func skipCR(p []byte, i int) int {
	for i < len(p) && p[i] == '\r' {
		i++
	}
	return i
}

// indexFrom returns the index of the first c in p at or after start, or
// len(p) if there is none.
func indexFrom(p []byte, start int, c byte) int {
	if i := bytes.IndexByte(p[start:], c); i >= 0 {
		return start + i
	}
	return len(p)
}

// line emits pending+seg, a complete line, in chunks of at most l.max bytes.
func (l *Lines) line(seg []byte, emit func([]byte)) {
	if len(l.pending) > 0 {
		seg = l.fill(seg, emit)
		if n := len(l.pending); n > 0 {
			// seg fitted in the pending buffer: the line ends there.
			emit(l.pending[:n:n])
			l.endLine()
			return
		}
	}
	for len(seg) > l.max {
		emit(seg[:l.max:l.max])
		seg = seg[l.max:]
	}
	emit(seg)
	l.endLine()
}

// keep stores tail, the start of a line not yet terminated, after pending,
// emitting every full chunk that is known to be followed by more bytes of
// the same line. At most l.max bytes stay pending.
func (l *Lines) keep(tail []byte, emit func([]byte)) {
	if len(l.pending) > 0 {
		if tail = l.fill(tail, emit); len(tail) == 0 {
			return
		}
	}
	for len(tail) > l.max {
		emit(tail[:l.max:l.max])
		tail = tail[l.max:]
	}
	l.appendPending(tail)
}

// fill moves bytes from the front of b to the pending buffer until it holds
// l.max bytes, and returns the rest of b. If anything is left, the pending
// buffer is a complete chunk followed by more of the line: it is emitted and
// emptied (keeping its memory, since the line goes on).
func (l *Lines) fill(b []byte, emit func([]byte)) []byte {
	take := min(len(b), l.max-len(l.pending))
	l.appendPending(b[:take])
	b = b[take:]
	if len(b) > 0 {
		n := len(l.pending)
		emit(l.pending[:n:n])
		l.pending = l.pending[:0]
	}
	return b
}

// appendPending appends b to the pending buffer, growing it by doubling but
// never beyond l.max bytes of capacity. Callers never exceed l.max in total.
func (l *Lines) appendPending(b []byte) {
	if len(b) == 0 {
		return
	}
	need := len(l.pending) + len(b)
	if need > cap(l.pending) {
		size := max(2*cap(l.pending), need, pendingMinAlloc)
		size = min(size, l.max)
		buf := make([]byte, len(l.pending), size)
		copy(buf, l.pending)
		l.pending = buf
	}
	l.pending = append(l.pending, b...)
}

// endLine empties the pending buffer after a line has ended, releasing it if
// it grew beyond pendingKeep bytes.
func (l *Lines) endLine() {
	if cap(l.pending) > pendingKeep {
		l.pending = nil
		return
	}
	l.pending = l.pending[:0]
}
