package output

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// checkRing fails the test unless r retains exactly want.
func checkRing(t *testing.T, r *Ring, want string) {
	t.Helper()
	if got := r.String(); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	if got := string(r.Bytes()); got != want {
		t.Fatalf("Bytes() = %q, want %q", got, want)
	}
	if got := r.Len(); got != len(want) {
		t.Fatalf("Len() = %d, want %d", got, len(want))
	}
}

func TestRing_NewRing_AllocatesNothing(t *testing.T) {
	r := NewRing(1 << 20)
	if r.Cap() != 0 {
		t.Fatalf("Cap() = %d for a new ring, want 0", r.Cap())
	}
	checkRing(t, r, "")
	if b := r.Bytes(); b != nil {
		t.Fatalf("Bytes() of empty ring = %v, want nil", b)
	}
}

func TestRing_Write_AlwaysReturnsLenAndNil(t *testing.T) {
	for _, limit := range []int{-1, 0, 1, 5, 4096} {
		r := NewRing(limit)
		for _, p := range []string{"", "a", "hello world", strings.Repeat("x", 10000)} {
			n, err := r.Write([]byte(p))
			if n != len(p) || err != nil {
				t.Fatalf("limit %d: Write(%d bytes) = %d, %v; want %d, nil", limit, len(p), n, err, len(p))
			}
		}
	}
}

func TestRing_Write_KeepsMostRecentBytes(t *testing.T) {
	tests := []struct {
		name   string
		limit  int
		writes []string
		want   string
	}{
		{"under limit", 10, []string{"abc", "def"}, "abcdef"},
		{"exactly limit", 6, []string{"abc", "def"}, "abcdef"},
		{"wraps once", 5, []string{"abc", "def"}, "bcdef"},
		{"wraps many times", 4, []string{"ab", "cd", "ef", "gh", "i"}, "fghi"},
		{"write equal to limit replaces all", 3, []string{"ab", "xyz"}, "xyz"},
		{"write larger than limit keeps its tail", 3, []string{"ab", "123456"}, "456"},
		{"large write then small", 4, []string{"0123456789", "ab"}, "89ab"},
		{"single byte limit", 1, []string{"abc", "d", "", "ef"}, "f"},
		{"empty writes", 4, []string{"", "", "ab", ""}, "ab"},
		{"zero limit keeps nothing", 0, []string{"abc"}, ""},
		{"negative limit keeps nothing", -5, []string{"abc"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRing(tt.limit)
			for _, w := range tt.writes {
				r.Write([]byte(w))
			}
			checkRing(t, r, tt.want)
			if tt.limit <= 0 && r.Cap() != 0 {
				t.Fatalf("Cap() = %d with limit %d, want 0", r.Cap(), tt.limit)
			}
		})
	}
}

func TestRing_Write_GrowsLazilyByDoublingUpToLimit(t *testing.T) {
	const limit = 100 << 10 // not a power of two
	r := NewRing(limit)
	r.Write([]byte("hi"))
	if r.Cap() != ringMinAlloc {
		t.Fatalf("Cap() after a small first write = %d, want %d", r.Cap(), ringMinAlloc)
	}
	r.Write(make([]byte, ringMinAlloc)) // now needs 4 KiB + 2
	if r.Cap() != 2*ringMinAlloc {
		t.Fatalf("Cap() after outgrowing 4 KiB = %d, want %d", r.Cap(), 2*ringMinAlloc)
	}
	for i := 0; i < 100; i++ {
		r.Write(make([]byte, 3000))
		if r.Cap() > limit {
			t.Fatalf("Cap() = %d exceeds limit %d", r.Cap(), limit)
		}
	}
	if r.Cap() != limit || r.Len() != limit {
		t.Fatalf("Cap(), Len() = %d, %d after long output, want %d, %d", r.Cap(), r.Len(), limit, limit)
	}

	// A large first write allocates its own size, not more.
	r = NewRing(1 << 20)
	r.Write(make([]byte, 10000))
	if r.Cap() != 10000 {
		t.Fatalf("Cap() after a 10000-byte first write = %d, want 10000", r.Cap())
	}

	// A limit below the minimum allocation caps the allocation.
	r = NewRing(100)
	r.Write([]byte("x"))
	if r.Cap() != 100 {
		t.Fatalf("Cap() with limit 100 = %d, want 100", r.Cap())
	}
}

func TestRing_Write_ExactlyFillingGrowingBuffer_ThenGrowsCorrectly(t *testing.T) {
	// Fill the first 4 KiB allocation exactly, then keep writing: the
	// content must survive the regrowth in order.
	r := NewRing(64 << 10)
	var want bytes.Buffer
	first := bytes.Repeat([]byte("0123456789abcdef"), ringMinAlloc/16)
	r.Write(first)
	want.Write(first)
	if r.Cap() != ringMinAlloc {
		t.Fatalf("Cap() = %d, want %d", r.Cap(), ringMinAlloc)
	}
	r.Write([]byte("tail"))
	want.WriteString("tail")
	checkRing(t, r, want.String())
}

func TestRing_Bytes_ReturnsFreshCopy(t *testing.T) {
	r := NewRing(4)
	r.Write([]byte("abcdef")) // wrapped content
	b := r.Bytes()
	b[0] = 'X'
	checkRing(t, r, "cdef")
	r.Write([]byte("gh"))
	b = r.Bytes()
	b[0] = 'X'
	checkRing(t, r, "efgh")
}

func TestRing_Write_DoesNotRetainInput(t *testing.T) {
	r := NewRing(8)
	p := []byte("abc")
	r.Write(p)
	copy(p, "XYZ")
	checkRing(t, r, "abc")
}

func TestRing_Reset_DropsContentAndReleasesMemory(t *testing.T) {
	r := NewRing(1 << 10)
	r.Write(bytes.Repeat([]byte("z"), 3000))
	r.Reset()
	if r.Cap() != 0 {
		t.Fatalf("Cap() after Reset = %d, want 0", r.Cap())
	}
	checkRing(t, r, "")
	r.Write([]byte("again"))
	checkRing(t, r, "again")
}

func TestRing_RandomWrites_MatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, limit := range []int{1, 2, 3, 7, 100, ringMinAlloc - 1, ringMinAlloc, ringMinAlloc + 1, 3*ringMinAlloc + 5, 64 << 10} {
		r := NewRing(limit)
		var all []byte
		var next byte
		for i := 0; i < 300; i++ {
			n := rng.IntN(2*limit + 2)
			if rng.IntN(4) == 0 {
				n = rng.IntN(8)
			}
			p := make([]byte, n)
			for j := range p {
				p[j] = next
				next++
			}
			r.Write(p)
			all = append(all, p...)
			want := all
			if len(want) > limit {
				want = want[len(want)-limit:]
			}
			if !bytes.Equal(r.Bytes(), want) || r.String() != string(want) || r.Len() != len(want) {
				t.Fatalf("limit %d, write %d (%d bytes): content differs from the last %d bytes written", limit, i, n, limit)
			}
			if r.Cap() > limit {
				t.Fatalf("limit %d: Cap() = %d exceeds the limit", limit, r.Cap())
			}
			if rng.IntN(50) == 0 {
				r.Reset()
				all = all[:0]
			}
		}
	}
}

func FuzzRing(f *testing.F) {
	f.Add([]byte("hello, world"), uint8(5), uint8(3))
	f.Add([]byte("abc"), uint8(0), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, limit, chunk uint8) {
		r := NewRing(int(limit))
		step := int(chunk)%17 + 1
		for i := 0; i < len(data); i += step {
			r.Write(data[i:min(i+step, len(data))])
		}
		want := data
		if len(want) > int(limit) {
			want = want[len(want)-int(limit):]
		}
		if got := r.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("Bytes() = %q, want %q", got, want)
		}
		if r.Cap() > int(limit) {
			t.Fatalf("Cap() = %d exceeds limit %d", r.Cap(), limit)
		}
	})
}

// BenchmarkRing_Write measures capturing output in 32 KiB pieces into a
// 1 MiB ring that is already full, i.e. the steady state of a chatty process.
func BenchmarkRing_Write(b *testing.B) {
	r := NewRing(1 << 20)
	p := bytes.Repeat([]byte("0123456789abcdef"), (32<<10)/16)
	for r.Cap() < 1<<20 {
		r.Write(p)
	}
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r.Write(p)
	}
}

// BenchmarkRing_WriteFromEmpty measures filling a new 1 MiB ring (including
// its lazy growth) with 32 KiB pieces; each iteration writes 2 MiB.
func BenchmarkRing_WriteFromEmpty(b *testing.B) {
	p := bytes.Repeat([]byte("0123456789abcdef"), (32<<10)/16)
	const total = 2 << 20
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		r := NewRing(1 << 20)
		for n := 0; n < total; n += len(p) {
			r.Write(p)
		}
	}
}

func BenchmarkRing_String(b *testing.B) {
	r := NewRing(1 << 20)
	r.Write(make([]byte, 1<<20))
	r.Write(make([]byte, 12345)) // full and wrapped
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		_ = r.String()
	}
}
