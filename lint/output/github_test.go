package output

import (
	"strings"
	"testing"

	"github.com/meshfleet/meshfleet/lint/finding"
)

func TestGitHubEscaping(t *testing.T) {
	if got, want := escapeData("100%\r\nnext: a,b"), "100%25%0D%0Anext: a,b"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
	if got, want := escapeProperty("my app, v2: 100%\n.yaml"), "my app%2C v2%3A 100%25%0A.yaml"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
}

func TestGitHubCommands(t *testing.T) {
	r := &finding.Report{Findings: []finding.Finding{
		{Rule: "MF301", Severity: finding.Error, Message: "m1", File: "a.yaml", Line: 41, Column: 5},
		{Rule: "MF304", Severity: finding.Warning, Message: "m2", File: "a.yaml", Line: 42},
		{Rule: "MF402", Severity: finding.Info, Message: "m3", File: "b.yaml"},
		{Rule: "MF100", Severity: finding.Error, Message: "m4"},
	}}
	got := strings.Split(render(t, "github", Options{}, r), "\n")
	want := []string{
		"::error title=MF100::m4",
		"::error file=a.yaml,line=41,col=5,title=MF301::m1",
		"::warning file=a.yaml,line=42,title=MF304::m2",
		"::notice file=b.yaml,title=MF402::m3",
		"4 findings (2 errors, 1 warning, 1 info) in 0 files, 0 resources",
		"",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestGitHubTitleAndEnd: the title says what is wrong, and the end of the
// field is given where known (the column only on a one-line annotation).
func TestGitHubTitleAndEnd(t *testing.T) {
	r := &finding.Report{
		Rules: []finding.Rule{{ID: "MF301", Title: "Subset: selects, nothing", Severity: finding.Error}},
		Findings: []finding.Finding{
			{Rule: "MF301", Severity: finding.Error, Message: "m1", File: "a.yaml", Line: 4, Column: 7, EndLine: 4, EndColumn: 12},
			{Rule: "MF301", Severity: finding.Error, Message: "m2", File: "a.yaml", Line: 9, Column: 5, EndLine: 11, EndColumn: 20},
		},
	}
	got := render(t, "github", Options{}, r)
	for _, want := range []string{
		"::error file=a.yaml,line=4,endLine=4,col=7,endColumn=12,title=MF301 Subset%3A selects%2C nothing::m1\n",
		"::error file=a.yaml,line=9,endLine=11,col=5,title=MF301 Subset%3A selects%2C nothing::m2\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("got\n%s\nwant a line\n%s", got, want)
		}
	}
	res := decodeSARIF(t, r).Runs[0].Results
	if reg := res[0].Locations[0].PhysicalLocation.Region; reg.EndLine != 4 || reg.EndColumn != 13 {
		t.Errorf("SARIF region %+v, want endLine 4, endColumn 13 (exclusive)", reg)
	}
	if reg := res[1].Locations[0].PhysicalLocation.Region; reg.EndLine != 11 || reg.EndColumn != 21 {
		t.Errorf("SARIF region %+v", reg)
	}
}
