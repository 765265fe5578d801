package output

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// compileSchema compiles a vendored schema (testdata/schema/README.md says
// where each comes from); nothing is fetched.
func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join("testdata", "schema", name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	url := "file:///schema/" + name
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, out string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if err := s.Validate(doc); err != nil {
		t.Errorf("%v\n%s", err, out)
	}
}

// schemaReports are the golden cases plus reports that reach the edges:
// the SARIF result limit, a finding without file, absolute names outside
// the root, control characters.
func schemaReports(t *testing.T) map[string]*finding.Report {
	cases := loadCases(t)
	cases["limit"] = manyFindings(40)
	cases["edges"] = &finding.Report{Findings: []finding.Finding{
		{Rule: "ACME1", Severity: finding.Warning, Message: "whole run"},
		{Rule: "MF601", Severity: finding.Error, Message: "a\x1b[31m\nb", File: "/elsewhere/x.yaml", Line: 3, Column: 2},
		{Rule: "MF100", Severity: finding.Error, Message: "", File: "a b/ü.yaml"},
	}, Rules: []finding.Rule{{ID: "MF601", Title: "t", Severity: finding.Error}}}
	return cases
}

func TestSARIFSchema(t *testing.T) {
	s := compileSchema(t, "sarif-2.1.0-rtm.5.json")
	for name, r := range schemaReports(t) {
		for _, opts := range []Options{{}, {Root: "/repo", Dir: "/repo/deploy", MaxResults: 25}} {
			t.Run(fmt.Sprintf("%s/%+v", name, opts), func(t *testing.T) {
				validate(t, s, render(t, "sarif", opts, r))
			})
		}
	}
}

func TestCodeQualitySchema(t *testing.T) {
	s := compileSchema(t, "codequality.json")
	for name, r := range schemaReports(t) {
		t.Run(name, func(t *testing.T) {
			validate(t, s, render(t, "codequality", Options{Root: "/repo", Dir: "/repo"}, r))
		})
	}
	// The schema is not a formality: it refuses what GitLab refuses.
	for _, bad := range []string{
		`[{"description":"d","check_name":"c","fingerprint":"f","severity":"error","location":{"path":"a","lines":{"begin":1}}}]`,
		`[{"description":"d","check_name":"c","fingerprint":"f","severity":"minor","location":{"path":"a"}}]`,
		`[{"description":"d","check_name":"c","severity":"minor","location":{"path":"a","lines":{"begin":1}}}]`,
	} {
		doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if s.Validate(doc) == nil {
			t.Errorf("schema accepts %s", bad)
		}
	}
}

// manyFindings makes n findings of mixed severity over a few files.
func manyFindings(n int) *finding.Report {
	r := &finding.Report{}
	sevs := []finding.Severity{finding.Info, finding.Warning, finding.Error, finding.Info}
	for i := range n {
		r.Findings = append(r.Findings, finding.Finding{
			Rule: fmt.Sprintf("MF%d", 301+i%5), Severity: sevs[i%len(sevs)],
			Message: fmt.Sprintf("finding %d", i), File: fmt.Sprintf("f%d.yaml", i%3), Line: i + 1, Column: 1,
		})
	}
	return r
}

// TestSARIFLimit: past the limit the most severe results are kept, in the
// usual order, the run says how many were dropped, and so does a notice.
func TestSARIFLimit(t *testing.T) {
	r := manyFindings(40) // 10 errors, 10 warnings, 20 infos
	var notices []string
	opts := Options{MaxResults: 15, Notice: func(s string) { notices = append(notices, s) }}
	out := render(t, "sarif", opts, r)
	log := decodeSARIF(t, r, opts)
	run := log.Runs[0]
	if len(run.Results) != 15 {
		t.Fatalf("%d results, want 15", len(run.Results))
	}
	levels := map[string]int{}
	for _, res := range run.Results {
		levels[res.Level]++
	}
	if levels["error"] != 10 || levels["warning"] != 5 || levels["note"] != 0 {
		t.Errorf("kept %v, want the 10 errors and 5 warnings", levels)
	}
	if run.Properties == nil || run.Properties.DroppedResults != 25 || run.Properties.ResultLimit != 15 {
		t.Errorf("run properties = %+v", run.Properties)
	}
	if len(notices) != 2 || !strings.Contains(notices[0], "25 results") {
		t.Errorf("notices = %q", notices)
	}
	if again := render(t, "sarif", opts, r); again != out {
		t.Error("a second run kept other results")
	}
	// Within the limit nothing is dropped and nothing is said.
	notices = nil
	if run := decodeSARIF(t, r, Options{Notice: opts.Notice}).Runs[0]; len(run.Results) != 40 || run.Properties != nil || len(notices) != 0 {
		t.Errorf("under the default limit: %d results, properties %+v, notices %q", len(run.Results), run.Properties, notices)
	}
	if SARIFMaxResults != 25000 {
		t.Errorf("SARIFMaxResults = %d; GitHub accepts 25,000", SARIFMaxResults)
	}
}

func TestSARIFSecuritySeverity(t *testing.T) {
	r := &finding.Report{Rules: []finding.Rule{
		{ID: "MF301", Title: "a", Severity: finding.Error},
		{ID: "MF501", Title: "b", Severity: finding.Error},
		{ID: "MF602", Title: "c", Severity: finding.Warning},
		{ID: "MF609", Title: "d", Severity: finding.Info},
	}}
	want := map[string]string{"MF301": "", "MF501": "8.0", "MF602": "5.0", "MF609": "2.0"}
	for _, rule := range decodeSARIF(t, r).Runs[0].Tool.Driver.Rules {
		if rule.Properties.SecuritySeverity != want[rule.ID] {
			t.Errorf("%s: security-severity %q, want %q", rule.ID, rule.Properties.SecuritySeverity, want[rule.ID])
		}
		security := strings.Contains(strings.Join(rule.Properties.Tags, ","), "security")
		if security != (want[rule.ID] != "") {
			t.Errorf("%s: tags %v", rule.ID, rule.Properties.Tags)
		}
	}
}

// TestCodeQuality: GitLab's fields, a fingerprint that survives line moves
// and stays unique, severities on GitLab's scale, repository paths.
func TestCodeQuality(t *testing.T) {
	f := finding.Finding{Rule: "MF601", Severity: finding.Error, Message: "m", File: "cart.yaml", Line: 4, Column: 3, Path: "spec.rules[0]",
		Resource: finding.Resource{Kind: "AuthorizationPolicy", Namespace: "shop", Name: "cart"}}
	moved := f
	moved.Line = 9
	twin := f
	twin.Line = 20
	opts := Options{Root: "/repo", Dir: "/repo/apps"}
	issues := func(fs ...finding.Finding) []cqIssue {
		var out []cqIssue
		if err := jsonUnmarshal(render(t, "codequality", opts, &finding.Report{Findings: fs}), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := issues(f)[0], issues(moved)[0]
	if a.Fingerprint != b.Fingerprint || len(a.Fingerprint) != 32 {
		t.Errorf("fingerprints %q, %q: want one 32-hex fingerprint whatever the line", a.Fingerprint, b.Fingerprint)
	}
	if pair := issues(f, twin); pair[0].Fingerprint == pair[1].Fingerprint {
		t.Error("two identical findings share a fingerprint")
	}
	if a.Location.Path != "apps/cart.yaml" || a.Location.Lines.Begin != 4 || a.Severity != "critical" || a.CheckName != "MF601" {
		t.Errorf("issue = %+v", a)
	}
	for _, tc := range []struct {
		rule string
		sev  finding.Severity
		want string
	}{
		{"MF100", finding.Error, "blocker"}, {"MF301", finding.Error, "major"}, {"MF301", finding.Warning, "minor"},
		{"MF301", finding.Info, "info"}, {"MF501", finding.Error, "critical"}, {"MF501", finding.Warning, "minor"},
	} {
		if got := cqSeverity(finding.Finding{Rule: tc.rule, Severity: tc.sev}); got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.rule, tc.sev, got, tc.want)
		}
	}
	if out := render(t, "codequality", Options{}, &finding.Report{}); !bytes.Equal([]byte(out), []byte("[]\n")) {
		t.Errorf("empty report = %q, want []", out)
	}
}
