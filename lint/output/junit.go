package output

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/lint/finding"
)

// junitWriter prints JUnit XML, the test report GitLab, Jenkins and Azure
// DevOps read: one <testsuite> per file, one <testcase> per finding, each a
// <failure> whatever its severity (test reports know pass and fail only;
// --output-threshold decides what is listed), and one passing testcase per
// file without findings, so the report also shows what was checked.
type junitWriter struct{}

func (junitWriter) Name() string { return "junit" }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string          `xml:"name,attr"`
	Tests    int             `xml:"tests,attr"`
	Failures int             `xml:"failures,attr"`
	Errors   int             `xml:"errors,attr"`
	Skipped  int             `xml:"skipped,attr"`
	Cases    []junitTestCase `xml:"testcase"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitNoFile names the suite of findings without a file (a user policy
// reporting on the run as a whole).
const junitNoFile = "(no file)"

func (junitWriter) Write(w io.Writer, r *finding.Report) error {
	fs, _ := prepare(r)
	titles := ruleTitles(r)
	byFile := map[string][]finding.Finding{}
	for _, f := range fs {
		name := junitNoFile
		if f.File != "" {
			name = slashPath(f.File)
		}
		byFile[name] = append(byFile[name], f)
	}
	var files []string
	if r != nil {
		for _, f := range r.Files {
			files = append(files, slashPath(f))
		}
	}
	for name := range byFile {
		files = append(files, name)
	}
	slices.Sort(files)
	files = slices.Compact(files)

	doc := junitSuites{Name: "meshfleet lint"}
	for _, file := range files {
		name := safetext.Escape(file)
		suite := junitSuite{Name: name}
		for _, f := range byFile[file] {
			suite.Cases = append(suite.Cases, junitCase(f, name, titles[f.Rule]))
		}
		if len(suite.Cases) == 0 {
			// A clean file passes: listed, so the report shows it was linted.
			suite.Cases = []junitTestCase{{Name: "no findings", ClassName: name}}
		}
		suite.Tests = len(suite.Cases)
		suite.Failures = len(byFile[file])
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Suites = append(doc.Suites, suite)
	}

	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	bw.WriteString("\n")
	return flush(bw)
}

// junitCase names a finding by rule, resource and YAML path, not by line,
// so a CI that tracks test cases across runs sees the same failure after
// edits above it; the position is in the failure's text. The file is the
// classname: the testcase attributes file and line are not in the JUnit
// schema Jenkins validates against (pytest's xunit2 drops them too).
func junitCase(f finding.Finding, file, title string) junitTestCase {
	parts := []string{f.Rule}
	if title != "" {
		parts[0] += " " + title
	}
	if res := f.Resource.String(); res != "" {
		parts = append(parts, res)
	}
	if f.Path != "" {
		parts = append(parts, f.Path)
	}
	name := safetext.Escape(strings.Join(parts, " - "))
	tc := junitTestCase{Name: name, ClassName: file}
	var text strings.Builder
	if pos := textPosition(f); pos != "" {
		text.WriteString(pos)
		text.WriteString(": ")
	}
	text.WriteString(string(f.Severity) + " " + f.Rule + " " + f.Message)
	if res := f.Resource.String(); res != "" {
		text.WriteString(" [" + res + "]")
	}
	tc.Failure = &junitFailure{
		Message: safetext.Escape(f.Message),
		Type:    safetext.Escape(f.Rule),
		Text:    safetext.Escape(text.String()),
	}
	return tc
}
