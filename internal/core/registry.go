package core

import (
	"path/filepath"
	"sync"
)

type registryMode uint8

const (
	registryOpen   registryMode = iota // any write allowed
	registrySealed                     // existing keys may be updated, no new keys
	registryLocked                     // no writes at all
)

// Registry is a thread-safe, insertion-ordered collection of named items.
// It has three write modes: open (the default: anything goes), sealed (no
// new keys, existing keys may be updated) and locked (no writes at all).
// Items can be soft-disabled: a disabled item is still found by Get and
// Has, but List and Each skip it until it is enabled again. Build one with
// NewRegistry: writing to a zero Registry panics.
type Registry[T any] struct {
	mu       sync.RWMutex
	items    map[string]T
	disabled map[string]bool
	order    []string
	mode     registryMode
}

// NewRegistry returns an empty registry in open mode.
func NewRegistry[T any]() *Registry[T] {
	return &Registry[T]{items: make(map[string]T), disabled: make(map[string]bool)}
}

// Set stores item under name: a new name is appended to the insertion
// order, an existing one is updated in place. It fails when the registry
// is locked, or sealed and name is new.
func (r *Registry[T]) Set(name string, item T) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, exists := r.items[name]
	switch {
	case r.mode == registryLocked:
		return Result{Value: E("registry.Set", "registry is locked, cannot set: "+name, nil), OK: false}
	case r.mode == registrySealed && !exists:
		return Result{Value: E("registry.Set", "registry is sealed, cannot add new key: "+name, nil), OK: false}
	}
	if !exists {
		r.order = append(r.order, name)
	}
	r.items[name] = item
	return Result{OK: true}
}

// Get returns Result{Value: item, OK: true} for a stored item (disabled
// or not) and Result{} for a missing one.
func (r *Registry[T]) Get(name string) Result {
	item, ok := r.get(name)
	if !ok {
		return Result{}
	}
	return Result{Value: item, OK: true}
}

// get is the typed form of Get (no boxing), used on hot paths.
func (r *Registry[T]) get(name string) (T, bool) {
	r.mu.RLock()
	item, ok := r.items[name]
	r.mu.RUnlock()
	return item, ok
}

// Has reports whether name is stored, disabled or not.
func (r *Registry[T]) Has(name string) bool {
	_, ok := r.get(name)
	return ok
}

// Names returns every stored name (disabled ones included) in insertion
// order, as a fresh slice.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, len(r.order))
	copy(out, r.order)
	return out
}

// List returns, in insertion order, the enabled items whose names match
// the glob pattern (filepath.Match syntax: "*", "?", "[…]"). A malformed
// pattern matches nothing.
func (r *Registry[T]) List(pattern string) []T {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []T
	for _, name := range r.order {
		if r.disabled[name] {
			continue
		}
		if ok, _ := filepath.Match(pattern, name); ok {
			out = append(out, r.items[name])
		}
	}
	return out
}

// Each calls fn for every enabled item in insertion order, holding the
// registry's read lock throughout: fn must not write to the registry (that
// deadlocks), and a writer waiting on another goroutine blocks until Each
// returns.
func (r *Registry[T]) Each(fn func(string, T)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, name := range r.order {
		if !r.disabled[name] {
			fn(name, r.items[name])
		}
	}
}

// Len returns the number of stored items, disabled ones included.
func (r *Registry[T]) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.items)
}

// Delete removes name. It fails when the registry is locked or name is
// not stored.
func (r *Registry[T]) Delete(name string) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mode == registryLocked {
		return Result{Value: E("registry.Delete", "registry is locked, cannot delete: "+name, nil), OK: false}
	}
	if _, ok := r.items[name]; !ok {
		return Result{Value: E("registry.Delete", "not found: "+name, nil), OK: false}
	}
	delete(r.items, name)
	delete(r.disabled, name)
	for i, n := range r.order {
		if n == name {
			r.order = append(r.order[:i:i], r.order[i+1:]...)
			break
		}
	}
	return Result{OK: true}
}

// Disable soft-disables name: it stays stored (Get and Has still find it)
// but List and Each skip it. It fails when name is not stored.
func (r *Registry[T]) Disable(name string) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.items[name]; !ok {
		return Result{Value: E("registry.Disable", "not found: "+name, nil), OK: false}
	}
	r.disabled[name] = true
	return Result{OK: true}
}

// Enable re-enables a disabled name. It fails when name is not stored.
func (r *Registry[T]) Enable(name string) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.items[name]; !ok {
		return Result{Value: E("registry.Enable", "not found: "+name, nil), OK: false}
	}
	delete(r.disabled, name)
	return Result{OK: true}
}

// Disabled reports whether name is soft-disabled.
func (r *Registry[T]) Disabled(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.disabled[name]
}

// Lock freezes the registry: every later Set and Delete fails.
func (r *Registry[T]) Lock() {
	r.mu.Lock()
	r.mode = registryLocked
	r.mu.Unlock()
}

// Locked reports whether the registry is locked.
func (r *Registry[T]) Locked() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.mode == registryLocked
}

// Seal refuses new keys from now on; existing keys may still be updated
// (and deleted).
func (r *Registry[T]) Seal() {
	r.mu.Lock()
	r.mode = registrySealed
	r.mu.Unlock()
}

// Sealed reports whether the registry is sealed.
func (r *Registry[T]) Sealed() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.mode == registrySealed
}

// Open returns the registry to open mode, undoing Seal or Lock.
func (r *Registry[T]) Open() {
	r.mu.Lock()
	r.mode = registryOpen
	r.mu.Unlock()
}
