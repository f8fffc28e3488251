// Package output holds the building blocks the process service uses to handle
// a child's output: Ring, a bounded capture of the most recent bytes, and
// Lines, a splitter that turns a byte stream into line events.
//
// Neither type is safe for concurrent use; the caller serialises access
// (typically under the lock that already guards the process's state).
package output

import "strings"

// ringMinAlloc is the size of a Ring's first allocation when the first write
// is smaller than this (and the limit is larger).
const ringMinAlloc = 4 << 10

// Ring is a bounded in-memory capture of a byte stream. It keeps the most
// recent limit bytes written to it and silently drops older ones.
//
// Memory is allocated lazily: a new Ring holds no buffer; the buffer grows
// (doubling, starting at 4 KiB or the size of the first write) as output
// arrives, never beyond the limit. Once the limit is reached the buffer is
// reused as a circular buffer, so a Ring never holds more than limit bytes of
// backing storage.
//
// The zero value keeps nothing; use NewRing. A Ring is not safe for
// concurrent use.
type Ring struct {
	limit int
	// buf is the backing storage; len(buf) is the allocated size.
	// Until len(buf) == limit the content is buf[:n] and w == n mod len(buf).
	buf []byte
	w   int // index in buf where the next byte goes
	n   int // number of retained bytes, ≤ len(buf)
	// written counts every byte ever written, kept or not.
	written int64
}

// NewRing returns an empty Ring that retains at most limit bytes. A limit ≤ 0
// gives a Ring that accepts writes and keeps nothing. NewRing allocates no
// buffer.
func NewRing(limit int) *Ring {
	if limit < 0 {
		limit = 0
	}
	return &Ring{limit: limit}
}

// Write appends p, discarding the oldest retained bytes as needed so that at
// most the limit is kept; if len(p) exceeds the limit only its last limit
// bytes are kept. It always returns len(p), nil, so it can sit behind an
// io.MultiWriter without ever failing the copy. Write does not retain p.
func (r *Ring) Write(p []byte) (int, error) {
	r.written += int64(len(p))
	if r.limit <= 0 || len(p) == 0 {
		return len(p), nil
	}
	if len(p) >= r.limit {
		// The write replaces everything: no need to preserve old content.
		if len(r.buf) != r.limit {
			r.buf = make([]byte, r.limit)
		}
		copy(r.buf, p[len(p)-r.limit:])
		r.w, r.n = 0, r.limit
		return len(p), nil
	}
	if need := r.n + len(p); need > len(r.buf) && len(r.buf) < r.limit {
		r.grow(need)
	}
	size := len(r.buf)
	// Here either the write fits after the content (still growing), or the
	// buffer is at its limit and the write may wrap around.
	c := copy(r.buf[r.w:], p)
	if c < len(p) {
		copy(r.buf, p[c:])
	}
	r.w += len(p)
	if r.w >= size {
		r.w -= size
	}
	r.n += len(p)
	if r.n > size {
		r.n = size
	}
	return len(p), nil
}

// grow reallocates the buffer to hold at least need bytes (capped at the
// limit), doubling the current size to amortise copying. It is only called
// while the buffer is below the limit, when the content is buf[:n].
func (r *Ring) grow(need int) {
	size := 2 * len(r.buf)
	if size < ringMinAlloc {
		size = ringMinAlloc
	}
	if size < need {
		size = need
	}
	if size > r.limit {
		size = r.limit
	}
	buf := make([]byte, size)
	copy(buf, r.buf[:r.n])
	r.buf = buf
	r.w = r.n // w may have wrapped to 0 when the old buffer was exactly full
}

// Len returns the number of bytes currently retained (at most the limit).
func (r *Ring) Len() int { return r.n }

// Written returns the number of bytes ever written, including those
// dropped: the Ring kept everything when Written equals Len.
func (r *Ring) Written() int64 { return r.written }

// Cap returns the number of bytes of backing storage currently allocated:
// 0 for a new or Reset Ring, never more than the limit.
func (r *Ring) Cap() int { return len(r.buf) }

// String returns the retained bytes, oldest first, as a new string.
func (r *Ring) String() string {
	if r.n == 0 {
		return ""
	}
	start := r.w - r.n
	if start >= 0 {
		return string(r.buf[start:r.w])
	}
	var sb strings.Builder
	sb.Grow(r.n)
	sb.Write(r.buf[start+len(r.buf):])
	sb.Write(r.buf[:r.w])
	return sb.String()
}

// Bytes returns a fresh copy of the retained bytes, oldest first; the caller
// owns it. It returns nil when nothing is retained.
func (r *Ring) Bytes() []byte {
	if r.n == 0 {
		return nil
	}
	out := make([]byte, r.n)
	start := r.w - r.n
	if start >= 0 {
		copy(out, r.buf[start:r.w])
		return out
	}
	start += len(r.buf)
	k := copy(out, r.buf[start:])
	copy(out[k:], r.buf[:r.w])
	return out
}

// Reset drops all retained bytes and releases the backing storage, so an
// idle Ring costs nothing; later writes allocate again lazily. The limit is
// unchanged; Written starts again from 0.
func (r *Ring) Reset() {
	r.buf = nil
	r.w, r.n, r.written = 0, 0, 0
}
