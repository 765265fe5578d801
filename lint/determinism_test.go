package lint

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// TestDeterminism: the same inputs give the same findings, in the same
// order, whatever the number of workers and the order of the paths: shards,
// parse workers and map order must never show in the output.
func TestDeterminism(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, 300) // 30 namespaces with injected defects
	eng := testEngine(t)
	run := func(workers int, paths ...string) []finding.Finding {
		t.Helper()
		res, err := eng.Lint(context.Background(), Options{Paths: paths, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		return res.Report.Findings
	}
	want := run(1, dir, "../examples", "../fixtures/lint/seed")
	if len(want) == 0 {
		t.Fatal("the corpus and the seed produced no findings: nothing to compare")
	}
	for _, tc := range []struct {
		workers int
		paths   []string
	}{
		{2, []string{dir, "../examples", "../fixtures/lint/seed"}},
		{8, []string{"../fixtures/lint/seed", "../examples", dir}},
		{3, []string{"../examples", dir, "../fixtures/lint/seed"}},
	} {
		if d := cmp.Diff(want, run(tc.workers, tc.paths...)); d != "" {
			t.Errorf("workers=%d paths=%v: findings differ (-want +got):\n%s", tc.workers, tc.paths, d)
		}
	}
}
