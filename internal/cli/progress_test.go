package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the progress goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgressOffTheTerminal: a pipe, a file or a CI log never gets the
// status line, and the hooks pass through untouched.
func TestProgressOffTheTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf)
	called := int64(0)
	p.loaded(func(n int64) { called = n })(42)
	p.wrap(func(string) {})("x")
	p.done()
	if buf.Len() != 0 || called != 42 {
		t.Errorf("progress wrote %q off a terminal; loaded hook got %d", buf.String(), called)
	}
}

// TestProgressOnATerminal drives the status line as on a terminal: it
// appears after the delay, names the stage, is erased before a notice and
// at the end.
func TestProgressOnATerminal(t *testing.T) {
	var buf syncBuffer
	p := &progress{w: &buf, on: true, start: time.Now(), stage: "reading and parsing the inputs",
		stop: make(chan struct{}), ended: make(chan struct{})}
	go p.run()
	time.Sleep(progressDelay + 2*progressTick)
	p.loaded(nil)(2_500_000)
	time.Sleep(2 * progressTick)
	var notices []string
	p.wrap(func(m string) { notices = append(notices, m) })("a notice")
	p.done()
	out := buf.String()
	for _, want := range []string{"meshfleet lint: reading and parsing the inputs…", "read 2.5 MB, running the rules…"} {
		if !strings.Contains(out, want) {
			t.Errorf("status line lacks %q: %q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\r\x1b[K") || len(notices) != 1 {
		t.Errorf("status line not erased at the end, or notice lost: %q %q", out, notices)
	}
}
