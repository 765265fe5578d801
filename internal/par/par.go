// Package par runs independent work on every core: the one worker loop
// render, the CLI's reading and lint's value conversion share.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls f(0) … f(n-1) on up to workers goroutines (GOMAXPROCS when
// workers < 1), each taking the next index when done with one, so a slow
// item holds up only its own worker, and waits for them. With one worker
// it runs f in order on the calling goroutine.
func For(workers, n int, f func(i int)) {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	if workers < 2 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		}()
	}
	wg.Wait()
}
