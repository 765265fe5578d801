package lint

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// TestSeed holds the linter to the seed document (issue 4): its YAML as
// written must draw the mistakes the document makes — DestinationRule
// subsets selecting a runtime label no workload carries (MF301), two
// DestinationRules for payment-service (MF305), a Service port named
// postgres that Istio would sniff (MF401) — and the corrected copy nothing
// at warning or above.
func TestSeed(t *testing.T) {
	eng := testEngine(t)
	lint := func(dir string) []finding.Finding {
		t.Helper()
		res, err := eng.Lint(context.Background(), Options{Paths: []string{filepath.Join(fixtures, dir)}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Report.Summary.Resources == 0 {
			t.Fatalf("%s holds no resources", dir)
		}
		return res.Report.Findings
	}

	got := map[string]int{}
	for _, f := range lint("seed") {
		got[f.Rule]++
	}
	want := map[string]int{"MF301": 2, "MF305": 1}
	if _, ok := eng.Rule("MF401"); ok {
		want["MF401"] = 1
	}
	for id, n := range want {
		if got[id] != n {
			t.Errorf("seed: %d %s findings, want %d (all: %v)", got[id], id, n, got)
		}
	}

	for _, f := range lint("seed-corrected") {
		if f.Severity.Rank() >= finding.Warning.Rank() {
			t.Errorf("seed-corrected: %s:%d:%d: %s %s %s [%s]", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message, f.Resource)
		}
	}
}
