// Package output writes a lint report in each format `meshfleet lint
// --format` offers. One file per format sits behind Writer, and the formats
// import only the finding package, so each is testable on its own and the
// lint engine never needs to know how a report is printed.
package output

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// Writer prints a report in one format.
type Writer interface {
	// Name is the --format value that selects this writer.
	Name() string
	// Write prints r to w. It sorts and de-duplicates a copy of the findings
	// and counts severities from them, so the output is deterministic and
	// the summary can never disagree with the list; r is not modified.
	Write(w io.Writer, r *finding.Report) error
}

// Options tune a writer. The CLI decides them; the writers never look at
// the terminal or the environment, so their output is reproducible in tests.
type Options struct {
	// Color adds ANSI colour to the severity word of the text format (the
	// CLI sets it on a terminal without NO_COLOR). Machine formats ignore it.
	Color bool
}

// formats lists every format in the order --help and errors show them.
var formats = []struct {
	name string
	new  func(Options) Writer
}{
	{"text", func(o Options) Writer { return textWriter{color: o.Color} }},
	{"json", func(Options) Writer { return jsonWriter{} }},
	{"sarif", func(Options) Writer { return sarifWriter{} }},
	{"github", func(Options) Writer { return githubWriter{} }},
}

// Names returns the valid --format values, text (the default) first.
func Names() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// New returns the writer for a --format value. An unknown name is an error
// that lists the valid ones, so a typo is fixed without reading the docs.
func New(name string, opts Options) (Writer, error) {
	for _, f := range formats {
		if f.name == name {
			return f.new(opts), nil
		}
	}
	names := Names()
	want := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	return nil, fmt.Errorf("unknown format %q (want %s)", name, want)
}

// prepare returns a sorted, de-duplicated copy of r's findings (never nil,
// so JSON shows an empty array) and r's summary with the severity counts
// taken from that copy. A nil report is an empty one.
func prepare(r *finding.Report) ([]finding.Finding, finding.Summary) {
	if r == nil {
		r = &finding.Report{}
	}
	fs := finding.SortDedup(slices.Clone(r.Findings))
	if fs == nil {
		fs = []finding.Finding{}
	}
	s := r.Summary
	s.Count(fs)
	return fs, s
}

// summaryLine is the last line of the text and github formats, e.g.
// "3 findings (1 error, 1 warning, 1 info) in 2 files, 14 resources".
func summaryLine(s finding.Summary) string {
	where := "in " + plural(s.Files, "file", "files") + ", " + plural(s.Resources, "resource", "resources")
	if s.Skipped > 0 {
		where += ", " + plural(s.Skipped, "template", "templates") + " skipped"
	}
	total := s.Error + s.Warning + s.Info
	if total == 0 {
		return "no findings " + where
	}
	var parts []string
	if s.Error > 0 {
		parts = append(parts, plural(s.Error, "error", "errors"))
	}
	if s.Warning > 0 {
		parts = append(parts, plural(s.Warning, "warning", "warnings"))
	}
	if s.Info > 0 {
		parts = append(parts, fmt.Sprintf("%d info", s.Info))
	}
	return fmt.Sprintf("%s (%s) %s", plural(total, "finding", "findings"), strings.Join(parts, ", "), where)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// slashPath gives a file name with forward slashes and without a leading
// "./", the form CI annotations and SARIF expect on every OS.
func slashPath(file string) string {
	p := filepath.ToSlash(file)
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	return p
}

// flush ends a buffered write; bufio keeps the first error, so checking
// Flush alone catches a failure of any earlier write.
func flush(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
