package core

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestRegistry_InsertionOrderAndUpdateInPlace(t *testing.T) {
	r := NewRegistry[int]()
	for i, n := range []string{"c", "a", "b"} {
		if res := r.Set(n, i); !res.OK {
			t.Fatalf("Set(%s) = %+v", n, res)
		}
	}
	r.Set("a", 10)
	if got := r.Names(); !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Fatalf("Names() = %v", got)
	}
	if g := r.Get("a"); !g.OK || g.Value != 10 {
		t.Fatalf("Get(a) = %+v", g)
	}
	if r.Get("zz").OK || r.Has("zz") || !r.Has("b") || r.Len() != 3 {
		t.Fatal("Get/Has/Len mismatch")
	}
	var each []string
	r.Each(func(n string, v int) { each = append(each, fmt.Sprint(n, v)) })
	if !slices.Equal(each, []string{"c0", "a10", "b2"}) {
		t.Fatalf("Each = %v", each)
	}
	if res := r.Delete("a"); !res.OK || r.Has("a") || !slices.Equal(r.Names(), []string{"c", "b"}) {
		t.Fatalf("Delete: %+v, names %v", res, r.Names())
	}
	if r.Delete("a").OK {
		t.Fatal("deleting a missing key must fail")
	}
	r.Set("a", 1)
	if !slices.Equal(r.Names(), []string{"c", "b", "a"}) {
		t.Fatalf("re-added key must go to the end: %v", r.Names())
	}
}

func TestRegistry_List_Glob(t *testing.T) {
	r := NewRegistry[string]()
	for _, n := range []string{"process.run", "process.start", "fs.read", "process.kill"} {
		r.Set(n, n)
	}
	r.Disable("process.start")
	if got := r.List("process.*"); !slices.Equal(got, []string{"process.run", "process.kill"}) {
		t.Fatalf("List = %v", got)
	}
	if got := r.List("nothing.*"); got != nil {
		t.Fatalf("List with no match = %v, want nil", got)
	}
	if got := r.List("[bad"); got != nil {
		t.Fatalf("a malformed pattern must match nothing, got %v", got)
	}
}

func TestRegistry_SealRefusesNewKeysAllowsUpdates(t *testing.T) {
	r := NewRegistry[int]()
	r.Set("a", 1)
	r.Seal()
	if !r.Sealed() || r.Locked() {
		t.Fatal("Sealed/Locked mismatch")
	}
	if res := r.Set("b", 2); res.OK {
		t.Fatal("sealed registry accepted a new key")
	} else if _, ok := res.Value.(error); !ok {
		t.Fatal("refusal must carry an error")
	}
	if !r.Set("a", 5).OK || r.Get("a").Value != 5 {
		t.Fatal("sealed registry must allow updating an existing key")
	}
	r.Open()
	if r.Sealed() || !r.Set("b", 2).OK {
		t.Fatal("Open must re-allow new keys")
	}
}

func TestRegistry_LockRefusesAllWrites(t *testing.T) {
	r := NewRegistry[int]()
	r.Set("a", 1)
	r.Lock()
	if !r.Locked() || r.Sealed() {
		t.Fatal("Locked/Sealed mismatch")
	}
	if r.Set("a", 2).OK || r.Set("b", 1).OK || r.Delete("a").OK {
		t.Fatal("locked registry accepted a write")
	}
	if r.Get("a").Value != 1 {
		t.Fatal("locked registry must still be readable")
	}
	r.Open()
	if !r.Set("a", 2).OK {
		t.Fatal("Open must undo Lock")
	}
}

func TestRegistry_DisableEnable(t *testing.T) {
	r := NewRegistry[int]()
	r.Set("a", 1)
	r.Set("b", 2)
	if !r.Disable("a").OK || !r.Disabled("a") {
		t.Fatal("Disable failed")
	}
	if g := r.Get("a"); !g.OK || g.Value != 1 || !r.Has("a") {
		t.Fatal("a disabled item must still be found by Get and Has")
	}
	if got := r.List("*"); !slices.Equal(got, []int{2}) {
		t.Fatalf("List = %v: a disabled item must be skipped", got)
	}
	var each []string
	r.Each(func(n string, _ int) { each = append(each, n) })
	if !slices.Equal(each, []string{"b"}) || r.Len() != 2 || !slices.Equal(r.Names(), []string{"a", "b"}) {
		t.Fatalf("Each %v / Len %d / Names %v", each, r.Len(), r.Names())
	}
	if !r.Enable("a").OK || r.Disabled("a") || !slices.Equal(r.List("*"), []int{1, 2}) {
		t.Fatal("Enable failed")
	}
	if r.Disable("zz").OK || r.Enable("zz").OK {
		t.Fatal("Disable/Enable of a missing key must fail")
	}
}

func TestRegistry_EachHoldsTheReadLock(t *testing.T) {
	r := NewRegistry[int]()
	r.Set("a", 1)
	r.Set("b", 2)
	written := make(chan struct{})
	var seen []string
	r.Each(func(n string, _ int) {
		seen = append(seen, n)
		if n != "a" {
			return
		}
		go func() {
			r.Set("c", 3) // blocks until Each returns
			close(written)
		}()
		select {
		case <-written:
			t.Error("a writer got in while Each was running")
		case <-time.After(50 * time.Millisecond):
		}
	})
	<-written
	if !slices.Equal(seen, []string{"a", "b"}) || !r.Has("c") {
		t.Fatalf("seen %v, has c %v", seen, r.Has("c"))
	}
	if !panics(func() { r.Each(nil) }) {
		t.Fatal("Each(nil) on a non-empty registry must panic (fn is called as given)")
	}
	NewRegistry[int]().Each(nil) // nothing to call
}

func TestRegistry_ZeroValueWritesPanic(t *testing.T) {
	var r Registry[int]
	if r.Get("a").OK || r.Has("a") || r.Len() != 0 || r.Names() == nil {
		t.Fatal("reads of a zero Registry must see it empty")
	}
	if !panics(func() { r.Set("a", 1) }) {
		t.Fatal("Set on a zero Registry must panic: use NewRegistry")
	}
}

func TestRegistry_List_UsesFilepathMatch(t *testing.T) {
	r := NewRegistry[string]()
	for _, n := range []string{"a/b", "a/b/c", "ab"} {
		r.Set(n, n)
	}
	if got := r.List("a/*"); !slices.Equal(got, []string{"a/b"}) {
		t.Fatalf("List(a/*) = %v: * must not match the separator", got)
	}
	if got := r.List("a?b"); !slices.Equal(got, []string(nil)) {
		t.Fatalf("List(a?b) = %v: ? must not match the separator", got)
	}
}

func TestRegistry_ConcurrentUse(t *testing.T) {
	r := NewRegistry[int]()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 200 {
				name := fmt.Sprintf("k%d", (w*200+i)%50)
				r.Set(name, i)
				r.Get(name)
				r.Has(name)
				r.Names()
				r.List("k1*")
				r.Len()
				r.Each(func(string, int) {})
				if i%10 == 0 {
					r.Disable(name)
					r.Enable(name)
					r.Delete(name)
				}
				if i%50 == 0 {
					r.Seal()
					r.Open()
				}
			}
		})
	}
	wg.Wait()
	if r.Len() != len(r.Names()) {
		t.Fatalf("Len %d != len(Names) %d", r.Len(), len(r.Names()))
	}
}
