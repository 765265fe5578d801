package lint

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/internal/corpus"
)

// TestCombinedSameFindings holds the combined query to the findings of one
// query per rule, on the corpus (every rule family, injected defects) and
// on every lint fixture.
func TestCombinedSameFindings(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Mesh(dir, 300, 3); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dir, "../fixtures/lint"} {
		combined, single := testEngine(t), newTestEngine(t)
		single.noCombine = true
		a, err := combined.Lint(context.Background(), Options{Paths: []string{path}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := single.Lint(context.Background(), Options{Paths: []string{path}})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Report.Findings) == 0 {
			t.Fatalf("%s: no findings: the comparison proves nothing", path)
		}
		if d := cmp.Diff(b.Report.Findings, a.Report.Findings); d != "" {
			t.Errorf("%s: combined query differs from one query per rule (-single +combined):\n%s", path, d)
		}
	}
}
