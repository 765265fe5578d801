//go:build !race

package lint

import (
	"testing"
	"time"
)

// TestSelectorShapesBounded holds issue 8's shapes to near-linear cost at
// N=5,000 (10,000 resources and more in one namespace): about a second and
// 200 MiB each on a quiet 2-core machine, where they took minutes and
// gigabytes when every selection was copied per resource. The bounds leave
// room for a loaded machine; growth is checked on bytes allocated, which
// load does not change: five times the input may allocate about five
// times as much, not twenty-five.
func TestSelectorShapesBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("N=5,000 shapes: skipped with -short")
	}
	const (
		n          = 5000
		maxElapsed = 10 * time.Second
		maxHeap    = 1 << 30
		maxGrowth  = 10.0 // allocated(n) / allocated(n/5)
	)
	for _, s := range selectorShapes {
		t.Run(s.name, func(t *testing.T) {
			small := runShape(t, s, n/5)
			run := runShape(t, s, n)
			checkShapeCounts(t, s, n, run)
			t.Logf("n=%d: %.2fs, peak heap %d MiB, allocated %d MiB (n=%d: %d MiB)",
				n, run.elapsed.Seconds(), run.peakHeap>>20, run.allocated>>20, n/5, small.allocated>>20)
			if run.elapsed > maxElapsed {
				t.Errorf("n=%d took %v, want under %v", n, run.elapsed, maxElapsed)
			}
			if run.peakHeap > maxHeap {
				t.Errorf("n=%d peaked at %d MiB of heap, want under %d MiB", n, run.peakHeap>>20, maxHeap>>20)
			}
			if g := float64(run.allocated) / float64(small.allocated); g > maxGrowth {
				t.Errorf("allocations grew %.1f times from n=%d to n=%d, want under %.0f (near-linear)", g, n/5, n, maxGrowth)
			}
		})
	}
}
