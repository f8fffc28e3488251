package api

// feed is the bounded queue of one stream client. Its owner offers items
// without ever blocking and, when an offer fails, drops the client:
// closes dropped (once, under the owner's lock) and offers no more.
type feed[T any] struct {
	items   chan T
	dropped chan struct{}
}

func newFeed[T any](size int) *feed[T] {
	return &feed[T]{items: make(chan T, size), dropped: make(chan struct{})}
}

// offer queues v unless the queue is full.
func (f *feed[T]) offer(v T) bool {
	select {
	case f.items <- v:
		return true
	default:
		return false
	}
}

// drop marks the client dropped; the owner calls it once, under its lock.
func (f *feed[T]) drop() { close(f.dropped) }
