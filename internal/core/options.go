package core

// Option is one key/value pair of an Options collection.
type Option struct {
	Key   string
	Value any
}

// Options is an ordered collection of key/value pairs with typed
// accessors: the universal input of Core operations. The zero value is an
// empty, usable collection. Keys are unique: Set replaces an existing
// key's value in place.
type Options struct {
	items []Option
}

// NewOptions returns an Options holding a copy of items, in order.
func NewOptions(items ...Option) Options {
	cp := make([]Option, len(items))
	copy(cp, items)
	return Options{items: cp}
}

// Set stores value under key, replacing the value of an existing key (its
// position is kept) or appending a new pair.
func (o *Options) Set(key string, value any) {
	for i := range o.items {
		if o.items[i].Key == key {
			o.items[i].Value = value
			return
		}
	}
	o.items = append(o.items, Option{Key: key, Value: value})
}

// Get returns Result{Value: v, OK: true} for a present key (v may be nil)
// and Result{} for a missing one.
func (o Options) Get(key string) Result {
	for i := range o.items {
		if o.items[i].Key == key {
			return Result{Value: o.items[i].Value, OK: true}
		}
	}
	return Result{}
}

// Has reports whether key is present.
func (o Options) Has(key string) bool {
	return o.Get(key).OK
}

// String returns the string stored under key, or "" when the key is
// missing or holds another type.
func (o Options) String(key string) string {
	s, _ := o.Get(key).Value.(string)
	return s
}

// Int returns the int stored under key, or 0 when the key is missing or
// holds another type (no conversion from other integer types).
func (o Options) Int(key string) int {
	i, _ := o.Get(key).Value.(int)
	return i
}

// Bool returns the bool stored under key, or false when the key is missing
// or holds another type.
func (o Options) Bool(key string) bool {
	b, _ := o.Get(key).Value.(bool)
	return b
}

// Len returns the number of pairs.
func (o Options) Len() int {
	return len(o.items)
}

// Items returns a copy of the pairs in order; changing it does not change
// o.
func (o Options) Items() []Option {
	cp := make([]Option, len(o.items))
	copy(cp, o.items)
	return cp
}
