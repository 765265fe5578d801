// Package suggest finds the name a user most likely meant, for "did you
// mean" hints in render's decoder and in schema problems alike.
package suggest

import "strings"

// Closest returns the name in names nearest to got, ignoring case, when it is
// close enough to be a plausible typo (an edit distance of at most 2, or a
// third of the name's length); otherwise "". Ties go to the earlier name.
func Closest(got string, names []string) string {
	best, bestD := "", -1
	lg := strings.ToLower(got)
	for _, n := range names {
		d := distance(lg, strings.ToLower(n))
		if bestD < 0 || d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" && bestD <= max(2, len(best)/3) {
		return best
	}
	return ""
}

// distance is the Levenshtein distance between a and b, by bytes.
func distance(a, b string) int {
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
