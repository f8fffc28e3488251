package output

import (
	"math"
	"strings"
	"testing"
)

func TestRing_Written_CountsDroppedBytes(t *testing.T) {
	r := NewRing(4)
	r.Write([]byte("abc"))
	r.Write([]byte("defgh"))
	if got := r.Written(); got != 8 {
		t.Fatalf("Written() = %d, want 8", got)
	}
	checkRing(t, r, "efgh")
	r.Reset()
	if got := r.Written(); got != 0 {
		t.Fatalf("Written() after Reset = %d, want 0", got)
	}
}

func TestRing_Written_ZeroLimitStillCounts(t *testing.T) {
	r := NewRing(0)
	r.Write([]byte("abc"))
	if got := r.Written(); got != 3 {
		t.Fatalf("Written() = %d, want 3", got)
	}
	checkRing(t, r, "")
}

// A Ring with the largest limit is an unbounded buffer that grows as
// output arrives.
func TestRing_MaxLimit_KeepsEverything(t *testing.T) {
	r := NewRing(math.MaxInt)
	var want strings.Builder
	for i := range 5000 {
		line := strings.Repeat(string(rune('a'+i%26)), i%97) + "\n"
		want.WriteString(line)
		r.Write([]byte(line))
	}
	checkRing(t, r, want.String())
	if got := r.Written(); got != int64(want.Len()) {
		t.Fatalf("Written() = %d, want %d", got, want.Len())
	}
	if r.Cap() > 2*want.Len() {
		t.Fatalf("Cap() = %d for %d bytes: grows by doubling at most", r.Cap(), want.Len())
	}
}
