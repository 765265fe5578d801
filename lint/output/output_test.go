package output

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// update rewrites the golden files. It is an environment variable, not a
// flag, because a flag breaks `go test ./...` in packages that lack it.
var update = os.Getenv("UPDATE_GOLDEN") != ""

// variant is one golden directory: a format with its options.
type variant struct {
	dir    string
	format string
	opts   Options
}

var variants = []variant{
	{"text", "text", Options{}},
	{"text-color", "text", Options{Color: true}},
	{"json", "json", Options{}},
	{"sarif", "sarif", Options{}},
	{"github", "github", Options{}},
	{"junit", "junit", Options{}},
	{"codequality", "codequality", Options{}},
	// Run from the subdirectory apps of the repository /repo: paths
	// relative to the repository root, the rest as file URIs.
	{"sarif-root", "sarif", Options{Root: "/repo", Dir: "/repo/deploy"}},
	{"codequality-root", "codequality", Options{Root: "/repo", Dir: "/repo/deploy"}},
}

// caseFile is a golden case's input: a finding.Report spelled in JSON.
type caseFile struct {
	Findings []finding.Finding `json:"findings"`
	Summary  finding.Summary   `json:"summary"`
	Rules    []finding.Rule    `json:"rules"`
	Version  string            `json:"version"`
	Files    []string          `json:"files"`
}

// loadCases reads testdata/cases/*.json; finding none fails, so a moved
// folder cannot turn the golden tests into a silent pass.
func loadCases(t *testing.T) map[string]*finding.Report {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no golden cases in testdata/cases")
	}
	cases := map[string]*finding.Report{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var c caseFile
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		cases[name] = &finding.Report{Findings: c.Findings, Summary: c.Summary, Rules: c.Rules, Version: c.Version, Files: c.Files}
	}
	return cases
}

func sortedNames(cases map[string]*finding.Report) []string {
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func render(t *testing.T, format string, opts Options, r *finding.Report) string {
	t.Helper()
	w, err := New(format, opts)
	if err != nil {
		t.Fatal(err)
	}
	if w.Name() != format {
		t.Fatalf("New(%q).Name() = %q", format, w.Name())
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.String()
}

func TestGolden(t *testing.T) {
	cases := loadCases(t)
	names := sortedNames(cases)
	for _, v := range variants {
		for _, name := range names {
			t.Run(v.dir+"/"+name, func(t *testing.T) {
				got := render(t, v.format, v.opts, cases[name])
				path := filepath.Join("testdata", v.dir, name+".golden")
				if update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (UPDATE_GOLDEN=1 go test ./lint/output/ writes it)", err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("%s differs (-want +got):\n%s", path, diff)
				}
			})
		}
		if update {
			continue
		}
		// A golden file without a case is a case someone deleted or renamed:
		// it would otherwise rot unnoticed.
		goldens, _ := filepath.Glob(filepath.Join("testdata", v.dir, "*.golden"))
		for _, g := range goldens {
			if _, ok := cases[strings.TrimSuffix(filepath.Base(g), ".golden")]; !ok {
				t.Errorf("%s has no case in testdata/cases", g)
			}
		}
	}
}

// TestEveryFormatHasGoldens keeps a new format from shipping untested.
func TestEveryFormatHasGoldens(t *testing.T) {
	for _, name := range Names() {
		if !slices.ContainsFunc(variants, func(v variant) bool { return v.format == name }) {
			t.Errorf("format %q has no golden variant", name)
		}
	}
}

func TestNew(t *testing.T) {
	if got, want := Names(), []string{"text", "json", "sarif", "github", "junit", "codequality"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	_, err := New("xml", Options{})
	if err == nil || err.Error() != `unknown format "xml" (want text, json, sarif, github, junit or codequality)` {
		t.Errorf("New(xml) error = %v", err)
	}
	if _, err := New("JSON", Options{}); err == nil {
		t.Error("New(JSON) succeeded; format names are exact")
	}
}

// TestWriteLeavesReportAlone: writers sort a copy, because the CLI may
// write one report in several formats.
func TestWriteLeavesReportAlone(t *testing.T) {
	r := loadCases(t)["mixed"]
	before := slices.Clone(r.Findings)
	for _, name := range Names() {
		render(t, name, Options{}, r)
	}
	if diff := cmp.Diff(before, r.Findings); diff != "" {
		t.Errorf("Write changed the report (-before +after):\n%s", diff)
	}
}

func TestNilReport(t *testing.T) {
	for _, name := range Names() {
		if out := render(t, name, Options{}, nil); out == "" {
			t.Errorf("%s wrote nothing for a nil report", name)
		}
	}
	if got := render(t, "text", Options{}, nil); got != "no findings in 0 files, 0 resources\n" {
		t.Errorf("text of nil report = %q", got)
	}
}

func TestSummaryLine(t *testing.T) {
	for _, tc := range []struct {
		s    finding.Summary
		want string
	}{
		{finding.Summary{Files: 2, Resources: 14}, "no findings in 2 files, 14 resources"},
		{finding.Summary{Files: 2, Resources: 14, Error: 1, Warning: 1, Info: 1}, "3 findings (1 error, 1 warning, 1 info) in 2 files, 14 resources"},
		{finding.Summary{Files: 1, Resources: 1, Error: 2}, "2 findings (2 errors) in 1 file, 1 resource"},
		{finding.Summary{Files: 1, Resources: 6, Warning: 1}, "1 finding (1 warning) in 1 file, 6 resources"},
		{finding.Summary{Files: 3, Resources: 6, Warning: 2, Info: 4}, "6 findings (2 warnings, 4 info) in 3 files, 6 resources"},
		{finding.Summary{Files: 3, Resources: 2, Skipped: 1}, "no findings in 3 files, 2 resources, 1 template skipped"},
		{finding.Summary{Files: 4, Resources: 2, Error: 1, Skipped: 2}, "1 finding (1 error) in 4 files, 2 resources, 2 templates skipped"},
	} {
		if got := summaryLine(tc.s); got != tc.want {
			t.Errorf("summaryLine(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}
