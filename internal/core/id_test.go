package core

import (
	"regexp"
	"sync"
	"testing"
)

var idPattern = regexp.MustCompile(`^id-[0-9]+-[0-9a-f]{6}$`)

func TestID_FormatAndUniqueAcrossGoroutines(t *testing.T) {
	const workers, per = 16, 500
	var (
		mu   sync.Mutex
		seen = make(map[string]bool, workers*per)
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			local := make([]string, 0, per)
			for range per {
				local = append(local, ID())
			}
			mu.Lock()
			defer mu.Unlock()
			for _, id := range local {
				if !idPattern.MatchString(id) {
					t.Errorf("ID %q does not match %s", id, idPattern)
				}
				if seen[id] {
					t.Errorf("duplicate ID %q", id)
				}
				seen[id] = true
			}
		})
	}
	wg.Wait()
	if len(seen) != workers*per {
		t.Fatalf("got %d unique IDs, want %d", len(seen), workers*per)
	}
}

func TestValidateName(t *testing.T) {
	for _, bad := range []string{"", ".", "..", "a/b", `a\b`, "../x"} {
		if r := ValidateName(bad); r.OK {
			t.Errorf("ValidateName(%q) accepted", bad)
		} else if _, ok := r.Value.(error); !ok {
			t.Errorf("ValidateName(%q) Value = %T, want error", bad, r.Value)
		}
	}
	for name, want := range map[string]string{
		"":    "validate: invalid name: ",
		"..":  "validate: invalid name: ..",
		"a/b": "validate: name contains path separator: a/b",
	} {
		if got := ValidateName(name).Value.(error).Error(); got != want {
			t.Errorf("ValidateName(%q) error = %q, want %q", name, got, want)
		}
	}
	for _, good := range []string{"process", "process.run", "a-b_c"} {
		if r := ValidateName(good); !r.OK || r.Value != good {
			t.Errorf("ValidateName(%q) = %+v", good, r)
		}
	}
}
