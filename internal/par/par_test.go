package par

import (
	"sync/atomic"
	"testing"
)

// TestFor: every index exactly once, whatever the worker count, and in
// order on one worker.
func TestFor(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 7} {
		for _, n := range []int{0, 1, 3, 1000} {
			seen := make([]atomic.Int32, n)
			For(workers, n, func(i int) { seen[i].Add(1) })
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Fatalf("workers %d, n %d: index %d called %d times", workers, n, i, c)
				}
			}
		}
	}
	var order []int
	For(1, 5, func(i int) { order = append(order, i) })
	for i, v := range order {
		if v != i {
			t.Fatalf("one worker ran %v, want 0…4 in order", order)
		}
	}
}
