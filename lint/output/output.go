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
	"time"

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
	// Root is the absolute directory that SARIF and Code Quality paths are
	// relative to: the repository root (--sarif-root, else the nearest
	// directory upward holding .git). Dir is the absolute directory the
	// findings' relative file names are relative to (the working
	// directory). With Root empty, file names are written as given.
	Root, Dir string
	// MaxResults caps the results of one SARIF run; 0 means
	// SARIFMaxResults, the most GitHub code scanning accepts.
	MaxResults int
	// Notice receives what a writer must tell the operator but cannot put
	// in its report (SARIF results dropped over the limit); may be nil.
	Notice func(string)
	// Elapsed, when non-zero, is how long the run took; the text format's
	// summary line then says so. The CLI sets it only for a person at a
	// terminal, so piped and golden output stays byte-for-byte the same.
	Elapsed time.Duration
}

// notice calls o.Notice when set.
func (o Options) notice(msg string) {
	if o.Notice != nil {
		o.Notice(msg)
	}
}

// repoPath gives file as a slash-separated path relative to o.Root, and
// whether it lies within it. With no Root, file is returned as given
// (slashed), relative names counting as inside.
func (o Options) repoPath(file string) (string, bool) {
	if o.Root == "" {
		return slashPath(file), !filepath.IsAbs(file) && !strings.HasPrefix(filepath.ToSlash(file), "/")
	}
	abs := file
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(o.Dir, file)
	}
	abs = filepath.Clean(abs)
	rel, err := filepath.Rel(o.Root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return filepath.ToSlash(abs), false
	}
	return slashPath(rel), true
}

// formats lists every format in the order --help and errors show them.
var formats = []struct {
	name string
	new  func(Options) Writer
}{
	{"text", func(o Options) Writer { return textWriter{color: o.Color, elapsed: o.Elapsed} }},
	{"json", func(Options) Writer { return jsonWriter{} }},
	{"sarif", func(o Options) Writer { return sarifWriter{opts: o} }},
	{"github", func(Options) Writer { return githubWriter{} }},
	{"junit", func(Options) Writer { return junitWriter{} }},
	{"codequality", func(o Options) Writer { return codequalityWriter{opts: o} }},
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

// AtLeast returns a copy of r holding only the findings of severity min
// or above (--output-threshold: what is printed, apart from what fails
// the run). The summary's severity counts are the writers' to recount.
func AtLeast(r *finding.Report, min finding.Severity) *finding.Report {
	c := *r
	c.Findings = nil
	for _, f := range r.Findings {
		if f.Severity.Rank() >= min.Rank() {
			c.Findings = append(c.Findings, f)
		}
	}
	return &c
}

// ruleTitles maps rule IDs to their titles, from the catalogue of a run.
func ruleTitles(r *finding.Report) map[string]string {
	m := map[string]string{}
	if r != nil {
		for _, rule := range r.Rules {
			m[rule.ID] = rule.Title
		}
	}
	return m
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
