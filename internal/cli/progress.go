package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress shows a long lint's stage and elapsed time on one status line
// of stderr, and only when stderr is a terminal: CI logs and pipes never
// see it. It appears after progressDelay, so a pre-commit run on a few
// files prints nothing, and it is erased before every notice and at the
// end, so it never mixes with real output.
type progress struct {
	w     io.Writer
	on    bool
	start time.Time

	mu    sync.Mutex
	stage string
	shown bool
	stop  chan struct{}
	ended chan struct{}
}

const (
	progressDelay = 500 * time.Millisecond
	progressTick  = 200 * time.Millisecond
)

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, on: isTerminalWriter(w), start: time.Now(), stage: "reading and parsing the inputs"}
	if !p.on {
		return p
	}
	p.stop, p.ended = make(chan struct{}), make(chan struct{})
	go p.run()
	return p
}

func (p *progress) run() {
	defer close(p.ended)
	delay := time.NewTimer(progressDelay)
	defer delay.Stop()
	select {
	case <-p.stop:
		return
	case <-delay.C:
	}
	tick := time.NewTicker(progressTick)
	defer tick.Stop()
	for {
		p.mu.Lock()
		fmt.Fprintf(p.w, "\r\x1b[Kmeshfleet lint: %s… %s", p.stage, time.Since(p.start).Round(100*time.Millisecond))
		p.shown = true
		p.mu.Unlock()
		select {
		case <-p.stop:
			return
		case <-tick.C:
		}
	}
}

// clear erases the status line; the caller holds mu.
func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// wrap returns notice, erasing the status line before each message.
func (p *progress) wrap(notice func(string)) func(string) {
	if !p.on {
		return notice
	}
	return func(msg string) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.clear()
		notice(msg)
	}
}

// loaded returns the lint's Loaded hook, which also moves the status line
// to the next stage: the inputs are read, the rules run now.
func (p *progress) loaded(next func(int64)) func(int64) {
	if !p.on {
		return next
	}
	return func(n int64) {
		p.mu.Lock()
		p.stage = fmt.Sprintf("read %.1f MB, running the rules", float64(n)/1e6)
		p.mu.Unlock()
		if next != nil {
			next(n)
		}
	}
}

// done stops the status line and erases it.
func (p *progress) done() {
	if !p.on {
		return
	}
	close(p.stop)
	<-p.ended
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}
