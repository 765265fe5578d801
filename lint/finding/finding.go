// Package finding holds the one type every lint stage and output format
// shares. It is a leaf: it imports nothing of meshfleet, so output formats
// depend on it alone.
package finding

import (
	"fmt"
	"sort"
	"strings"
)

// Severity is exactly one of error, warning, info.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Rank orders severities: error 3, warning 2, info 1, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case Error:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
}

// ParseSeverity accepts error, warning or info.
func ParseSeverity(s string) (Severity, error) {
	switch v := Severity(strings.ToLower(strings.TrimSpace(s))); v {
	case Error, Warning, Info:
		return v, nil
	}
	return "", fmt.Errorf("unknown severity %q (want error, warning or info)", s)
}

// Resource names the object a finding is about. For a rendered VMFleet
// output it names the rendered resource, while File/Line point at the
// VMFleet field that produced it.
type Resource struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
}

// String is "Kind ns/name", "Kind name" without a namespace, "" when empty.
func (r Resource) String() string {
	switch {
	case r.Kind == "" && r.Name == "":
		return ""
	case r.Namespace == "":
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Finding is one problem found. Field order and JSON names are the --format
// json contract (DESIGN.md §4): do not change them.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Resource Resource `json:"resource"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Path     string   `json:"path"`
	// EndLine and EndColumn, when known (not 0), give the end of the
	// field: the line and the column of its last character. They are not
	// part of the JSON contract; GitHub annotations and SARIF regions use
	// them.
	EndLine   int `json:"-"`
	EndColumn int `json:"-"`
}

// Summary counts what a run looked at and found.
type Summary struct {
	Files     int `json:"files"`
	Resources int `json:"resources"`
	Error     int `json:"error"`
	Warning   int `json:"warning"`
	Info      int `json:"info"`
	// Skipped counts the input files not linted because they are
	// templates (Jinja, Ansible, Helm, envsubst text that is not YAML until
	// rendered); with --complete they are MF100 errors instead. Omitted
	// when 0.
	Skipped int `json:"skipped,omitempty"`
}

// Rule is a rule's documentation, the data behind `meshfleet rules` and
// SARIF's rule table.
type Rule struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    Severity `json:"severity"`
	Description string   `json:"description"`
	Remediation string   `json:"remediation"`
	// OptIn rules run only when enabled (--enable, `enable:` in
	// .meshfleet.yaml, or named by --only); their METADATA says
	// `custom.optIn: true`.
	OptIn bool `json:"optIn,omitempty"`
	// Bad and Good are short YAML examples: one the rule fires on, one it
	// does not.
	Bad  string `json:"bad,omitempty"`
	Good string `json:"good,omitempty"`
}

// Report is what an output format writes.
type Report struct {
	Findings []Finding
	Summary  Summary
	// Rules is the catalogue of rules that ran, sorted by ID.
	Rules []Rule
	// Version is meshfleet's version, for SARIF's tool.driver.version.
	Version string
	// Files are the input files that were read and linted, sorted: the
	// formats that report clean files too (JUnit's passing test cases)
	// need them, since findings only name the files that failed.
	Files []string
}

// Less orders findings by file, line, column, rule, then the rest, so output
// is the same whatever order rules ran in.
func Less(a, b Finding) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	if a.Rule != b.Rule {
		return a.Rule < b.Rule
	}
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	if r1, r2 := a.Resource.String(), b.Resource.String(); r1 != r2 {
		return r1 < r2
	}
	return a.Message < b.Message
}

// SortDedup sorts findings and drops exact duplicates.
func SortDedup(fs []Finding) []Finding {
	sort.Slice(fs, func(i, j int) bool { return Less(fs[i], fs[j]) })
	out := fs[:0]
	for i, f := range fs {
		if i > 0 && f == fs[i-1] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Count fills the severity counters of s from fs.
func (s *Summary) Count(fs []Finding) {
	s.Error, s.Warning, s.Info = 0, 0, 0
	for _, f := range fs {
		switch f.Severity {
		case Error:
			s.Error++
		case Warning:
			s.Warning++
		case Info:
			s.Info++
		}
	}
}

// JSONReport is the whole `--format json` document (DESIGN.md §4). It lives
// here, beside Finding, so the writer and any Go program that parses the
// output decode the same contract instead of re-declaring it.
type JSONReport struct {
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
}
