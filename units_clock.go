package process

import (
	"math/rand/v2"
	"time"
)

// unitClock is the time the unit manager lives by: when runs start and
// end (for Backoff.ResetAfter) and when backoff delays end. Tests replace
// it to drive backoff without sleeping.
type unitClock interface {
	now() time.Time
	// afterFunc calls f in its own goroutine once d has passed; the
	// returned function cancels the call and reports whether it did so
	// before f began.
	afterFunc(d time.Duration, f func()) (cancel func() bool)
}

// wallClock is the real clock.
type wallClock struct{}

func (wallClock) now() time.Time { return time.Now() }

func (wallClock) afterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// clockLocked returns the clock in force.
func (m *unitSet) clockLocked() unitClock {
	if m.clock == nil {
		return wallClock{}
	}
	return m.clock
}

// randomLocked returns a number uniform in [0, 1) for backoff jitter, from
// the injected source when there is one.
func (m *unitSet) randomLocked() float64 {
	if m.random == nil {
		return rand.Float64()
	}
	return m.random()
}
