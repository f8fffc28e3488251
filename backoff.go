package process

import (
	"math"
	"time"
)

// defaultBackoff holds the values that zero Backoff fields take.
var defaultBackoff = Backoff{
	Initial:    500 * time.Millisecond,
	Max:        30 * time.Second,
	Factor:     2,
	Jitter:     0.1,
	ResetAfter: 10 * time.Second,
}

// withDefaults fills the zero fields of b; a negative Jitter becomes 0
// (no jitter). It does not validate: see checkBackoff.
func (b Backoff) withDefaults() Backoff {
	if b.Initial == 0 {
		b.Initial = defaultBackoff.Initial
	}
	if b.Max == 0 {
		b.Max = max(defaultBackoff.Max, b.Initial)
	}
	if b.Factor == 0 {
		b.Factor = defaultBackoff.Factor
	}
	switch {
	case b.Jitter == 0:
		b.Jitter = defaultBackoff.Jitter
	case b.Jitter < 0:
		b.Jitter = 0
	}
	if b.ResetAfter == 0 {
		b.ResetAfter = defaultBackoff.ResetAfter
	}
	return b
}

// delay is the wait before restart n (counting from 0) of a backoff with
// its defaults filled in: min(Max, Initial·Factorⁿ), moved by
// (2·random−1)·Jitter of itself, where random is uniform in [0, 1). The
// result lies in [d·(1−Jitter), d·(1+Jitter)) for that capped d, and is
// never negative.
func (b Backoff) delay(n int, random float64) time.Duration {
	d := float64(b.Max)
	if n >= 0 {
		grown := float64(b.Initial) * math.Pow(b.Factor, float64(n))
		if !math.IsInf(grown, 0) && !math.IsNaN(grown) {
			d = min(d, grown)
		}
	}
	d *= 1 + b.Jitter*(2*random-1)
	if d <= 0 {
		return 0
	}
	if d >= math.MaxInt64 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(d)
}
