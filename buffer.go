package process

import (
	"sync"

	"dappco.re/go/core/process/internal/output"
)

// RingBuffer keeps the newest bytes written to it, up to a fixed size, and
// drops older ones. It is safe for concurrent use.
type RingBuffer struct {
	mu   sync.Mutex
	size int
	ring *output.Ring
}

// NewRingBuffer returns an empty RingBuffer that keeps at most size bytes.
// A size ≤ 0 gives a RingBuffer that accepts every write and keeps nothing.
func NewRingBuffer(size int) *RingBuffer {
	if size < 0 {
		size = 0
	}
	return &RingBuffer{size: size, ring: output.NewRing(size)}
}

// Write appends p, dropping the oldest bytes beyond the size. It always
// returns len(p), nil. It does not keep p.
func (rb *RingBuffer) Write(p []byte) (int, error) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return rb.ring.Write(p)
}

// String returns the bytes kept, oldest first.
func (rb *RingBuffer) String() string {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return rb.ring.String()
}

// Bytes returns a copy of the bytes kept, oldest first, or nil when none
// are; the caller owns it.
func (rb *RingBuffer) Bytes() []byte {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return rb.ring.Bytes()
}

// Len returns the number of bytes kept, never more than Cap.
func (rb *RingBuffer) Len() int {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return rb.ring.Len()
}

// Cap returns the size given to NewRingBuffer (0 for a size ≤ 0): the most
// bytes the buffer keeps.
func (rb *RingBuffer) Cap() int { return rb.size }

// Reset drops every byte kept.
func (rb *RingBuffer) Reset() {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	rb.ring.Reset()
}
