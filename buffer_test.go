package process

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRingBuffer_KeepsTheNewestBytesUpToItsSize(t *testing.T) {
	t.Run("write and read", func(t *testing.T) {
		rb := NewRingBuffer(10)
		n, err := rb.Write([]byte("hello"))
		require.NoError(t, err)
		assert.Equal(t, 5, n)
		assert.Equal(t, "hello", rb.String())
		assert.Equal(t, 5, rb.Len())
	})
	t.Run("overflow replaces the oldest", func(t *testing.T) {
		rb := NewRingBuffer(5)
		_, _ = rb.Write([]byte("hello"))
		_, _ = rb.Write([]byte("world"))
		assert.Equal(t, 5, rb.Len())
		assert.Equal(t, "world", rb.String())
	})
	t.Run("partial overflow", func(t *testing.T) {
		rb := NewRingBuffer(10)
		_, _ = rb.Write([]byte("hello"))
		_, _ = rb.Write([]byte("worldx"))
		assert.Equal(t, 10, rb.Len())
		assert.Equal(t, "elloworldx", rb.String())
	})
	t.Run("a write larger than the size keeps its tail", func(t *testing.T) {
		rb := NewRingBuffer(4)
		_, _ = rb.Write([]byte("abcdefgh"))
		assert.Equal(t, "efgh", rb.String())
	})
	t.Run("empty", func(t *testing.T) {
		rb := NewRingBuffer(10)
		assert.Equal(t, "", rb.String())
		assert.Equal(t, 0, rb.Len())
		assert.Nil(t, rb.Bytes())
	})
	t.Run("reset", func(t *testing.T) {
		rb := NewRingBuffer(10)
		_, _ = rb.Write([]byte("hello"))
		rb.Reset()
		assert.Equal(t, "", rb.String())
		assert.Equal(t, 0, rb.Len())
		assert.Equal(t, 10, rb.Cap())
	})
	t.Run("cap", func(t *testing.T) {
		assert.Equal(t, 42, NewRingBuffer(42).Cap())
	})
	t.Run("bytes is a copy", func(t *testing.T) {
		rb := NewRingBuffer(10)
		_, _ = rb.Write([]byte("hello"))
		b := rb.Bytes()
		assert.Equal(t, []byte("hello"), b)
		b[0] = 'x'
		assert.Equal(t, "hello", rb.String())
	})
	t.Run("zero or negative size keeps nothing", func(t *testing.T) {
		for _, size := range []int{0, -1} {
			rb := NewRingBuffer(size)
			n, err := rb.Write([]byte("discarded"))
			require.NoError(t, err)
			assert.Equal(t, len("discarded"), n)
			assert.Equal(t, 0, rb.Cap())
			assert.Equal(t, 0, rb.Len())
			assert.Equal(t, "", rb.String())
			assert.Nil(t, rb.Bytes())
		}
	})
}

func TestRingBuffer_ConcurrentWriters_KeepWholeWrites(t *testing.T) {
	rb := NewRingBuffer(64)
	var wg sync.WaitGroup
	for _, c := range "abcdefgh" {
		wg.Go(func() {
			for range 200 {
				_, _ = rb.Write([]byte(strings.Repeat(string(c), 8)))
				_ = rb.String()
				_ = rb.Len()
			}
		})
	}
	wg.Wait()
	got := rb.String()
	require.Len(t, got, 64)
	// Each write is 8 bytes and 64 is a multiple of 8: every 8-byte run
	// is one writer's write, never a mix.
	for i := 0; i < len(got); i += 8 {
		assert.Equal(t, strings.Repeat(got[i:i+1], 8), got[i:i+8])
	}
}
