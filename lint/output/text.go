package output

import (
	"bufio"
	"io"
	"strconv"
	"time"

	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/lint/finding"
)

// textWriter prints what people read and what fixtures/lint/*/want.txt pin:
// one line per finding in the compiler-style "file:line:col: " form that
// editors and terminals turn into links, then a summary line.
type textWriter struct {
	color   bool
	elapsed time.Duration
}

func (textWriter) Name() string { return "text" }

func (t textWriter) Write(w io.Writer, r *finding.Report) error {
	fs, s := prepare(r)
	bw := bufio.NewWriter(w)
	for _, f := range fs {
		if pos := textPosition(f); pos != "" {
			bw.WriteString(pos)
			bw.WriteString(": ")
		}
		bw.WriteString(t.severity(f.Severity))
		bw.WriteString(" ")
		bw.WriteString(oneLine(f.Rule))
		bw.WriteString(" ")
		bw.WriteString(oneLine(f.Message))
		if res := f.Resource.String(); res != "" {
			bw.WriteString(" [")
			bw.WriteString(oneLine(res))
			bw.WriteString("]")
		}
		bw.WriteString("\n")
	}
	bw.WriteString(summaryLine(s))
	if t.elapsed > 0 {
		bw.WriteString(" (took ")
		bw.WriteString(roundDuration(t.elapsed).String())
		bw.WriteString(")")
	}
	bw.WriteString("\n")
	return flush(bw)
}

// textPosition is "file:line:col", dropping a zero column or line (a finding
// about a whole file has neither), and "" when no file is known.
func textPosition(f finding.Finding) string {
	if f.File == "" {
		return ""
	}
	pos := oneLine(f.File)
	if f.Line > 0 {
		pos += ":" + strconv.Itoa(f.Line)
		if f.Column > 0 {
			pos += ":" + strconv.Itoa(f.Column)
		}
	}
	return pos
}

// ANSI SGR sequences for the severity word: bold red, yellow, cyan.
var severityColor = map[finding.Severity]string{
	finding.Error:   "\x1b[1;31m",
	finding.Warning: "\x1b[33m",
	finding.Info:    "\x1b[36m",
}

func (t textWriter) severity(s finding.Severity) string {
	word := oneLine(string(s))
	if c, ok := severityColor[s]; ok && t.color {
		return c + word + "\x1b[0m"
	}
	return word
}

// oneLine escapes control characters (newlines above all) so each finding
// stays one line for grep and editors, and so a message from a user policy
// or a hostile file name cannot send escape sequences to the terminal.
var oneLine = safetext.Escape

// roundDuration keeps two or three significant digits: "1.24s", "380ms".
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}
