package lint

import (
	"context"
	"os"
	"testing"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// TestExamplesLintClean lints examples/ as `meshfleet lint examples/` does,
// VMFleets rendered: what users copy must not draw a warning or an error.
func TestExamplesLintClean(t *testing.T) {
	t.Chdir("..")
	if _, err := os.Stat("examples"); err != nil {
		t.Skip("no examples/ yet")
	}
	res, err := testEngine(t).Lint(context.Background(), Options{Paths: []string{"examples"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Summary.Resources == 0 {
		t.Fatal("examples/ holds no resources")
	}
	for _, f := range res.Report.Findings {
		if f.Severity.Rank() >= finding.Warning.Rank() {
			t.Errorf("%s:%d:%d: %s %s %s [%s]", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message, f.Resource)
		}
	}
}
