package process

import "strings"

// closestKey returns the key of known that key most likely misspells: one
// that differs only in case, or by at most a third of key's length in
// single-letter edits (at least one), or that key shortens or lengthens by
// leaving letters out or adding some, first letter kept ("cmd" for
// "command", "columns" for "cols"). Among several, the fewest edits away
// wins.
func closestKey(key string, known []string) (string, bool) {
	lower := strings.ToLower(key)
	best, bestDist := "", -1
	for _, k := range known {
		kl := strings.ToLower(k)
		dist := editDistance(lower, kl)
		near := dist <= max(1, len(key)/3) ||
			strings.HasPrefix(kl, lower) || strings.HasPrefix(lower, kl) ||
			abbreviates(lower, kl) || abbreviates(kl, lower)
		if near && (bestDist < 0 || dist < bestDist) {
			best, bestDist = k, dist
		}
	}
	return best, bestDist >= 0
}

// abbreviates reports whether short is long with letters left out,
// starting with the same letter.
func abbreviates(short, long string) bool {
	if short == "" || long == "" || short[0] != long[0] {
		return false
	}
	i := 0
	for j := 0; j < len(long) && i < len(short); j++ {
		if short[i] == long[j] {
			i++
		}
	}
	return i == len(short)
}

// editDistance is the Levenshtein distance between a and b, counted in
// bytes (option keys are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
