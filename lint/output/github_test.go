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
