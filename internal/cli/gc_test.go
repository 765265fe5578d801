package cli

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestTuneGC: lint starts without collection under gcOffLimit, keeps it
// off for a small input, turns it on at GOGC=400 for a large one or one of
// unknown size, leaves an operator's GOGC and GOMEMLIMIT alone, and puts
// the previous settings back.
func TestTuneGC(t *testing.T) {
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	percent := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	limit := func() int64 { return debug.SetMemoryLimit(-1) }
	before, beforeLimit := percent(), limit()
	orig := before
	t.Cleanup(func() { debug.SetGCPercent(orig); debug.SetMemoryLimit(beforeLimit) })
	restored := func(what string) {
		t.Helper()
		if got, l := percent(), limit(); got != before || l != beforeLimit {
			t.Errorf("%s: restored GOGC %d, limit %d; want %d, %d", what, got, l, before, beforeLimit)
		}
	}

	g := tuneGC()
	if got, l := percent(), limit(); got >= 0 || l != gcOffLimit {
		t.Errorf("at start: GOGC %d, limit %d; want off under %d", got, l, gcOffLimit)
	}
	g.sized(200<<10, true)
	g.loaded(200 << 10)
	if got, l := percent(), limit(); got >= 0 || l != gcOffLimit {
		t.Errorf("200 KiB of input: GOGC %d, limit %d; want off under %d", got, l, gcOffLimit)
	}
	g.restore()
	restored("small")

	for _, c := range []struct {
		name      string
		n         int64
		known     bool
		wantGOGC  int
		wantLimit int64
	}{
		// Known large: read without collection, under its size's limit.
		{"4 MiB", 4 << 20, true, -1, memoryLimit(4 << 20)},
		{"stdin", 10, false, 400, 2 << 30},
	} {
		g = tuneGC()
		g.sized(c.n, c.known)
		if got, l := percent(), limit(); got != c.wantGOGC || l != c.wantLimit {
			t.Errorf("%s: GOGC %d, limit %d after sizing; want %d under %d", c.name, got, l, c.wantGOGC, c.wantLimit)
		}
		g.loaded(4 << 20)
		if got, l := percent(), limit(); got != 400 || l != memoryLimit(4<<20) {
			t.Errorf("%s: GOGC %d, limit %d after reading; want 400 under %d", c.name, got, l, memoryLimit(4<<20))
		}
		g.restore()
		restored(c.name)
	}

	// Sized small, read large (a file grew): collection comes on.
	g = tuneGC()
	g.sized(10, true)
	g.loaded(4 << 20)
	if got := percent(); got != 400 {
		t.Errorf("read 4 MiB after sizing 10 bytes: GOGC %d, want 400", got)
	}
	g.restore()

	// Sized large, read small (files skipped): a small run, off under
	// gcOffLimit.
	g = tuneGC()
	g.sized(4<<20, true)
	g.loaded(10)
	if got, l := percent(), limit(); got >= 0 || l != gcOffLimit {
		t.Errorf("read 10 bytes after sizing 4 MiB: GOGC %d, limit %d; want off under %d", got, l, gcOffLimit)
	}
	g.restore()

	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	before = 150
	g = tuneGC()
	g.sized(10, true)
	if got := percent(); got != 150 {
		t.Errorf("GOGC=150 in the environment: GOGC %d", got)
	}
	g.restore()
	restored("GOGC set")
}
