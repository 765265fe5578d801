package lint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshfleet/meshfleet/internal/corpus"
	"github.com/meshfleet/meshfleet/lint"
	"github.com/meshfleet/meshfleet/lint/mesh"
)

// writeMeshTests writes one MeshTest of cases over the corpus's fleets
// (internal/corpus.MeshTests), ten fleets to a namespace as WriteCorpus.
func writeMeshTests(tb testing.TB, dir string, fleets, cases int) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, "meshtest.yaml"), corpus.MeshTests(fleets, 10, cases), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// runMeshTests is `meshfleet test DIR` without printing.
func runMeshTests(tb testing.TB, dir string) []mesh.CaseResult {
	tb.Helper()
	m, err := lint.LoadModel(lint.Options{Paths: []string{dir}})
	if err != nil {
		tb.Fatal(err)
	}
	if len(m.Problems) > 0 {
		tb.Fatal(m.Problems[0])
	}
	md := mesh.New(m)
	var suites []*mesh.Suite
	for _, d := range m.Tests {
		s, errs := mesh.Parse(d)
		if len(errs) > 0 {
			tb.Fatal(errs[0])
		}
		suites = append(suites, s)
	}
	res, errs := md.Run(suites, nil)
	if len(errs) > 0 {
		tb.Fatal(errs[0])
	}
	return res
}

// TestMeshCorpus runs cases over a small corpus: every one must pass, so
// the benchmark below measures runs whose answer is known.
func TestMeshCorpus(t *testing.T) {
	dir := t.TempDir()
	lint.WriteCorpus(t, dir, 100)
	writeMeshTests(t, dir, 100, 200)
	res := runMeshTests(t, dir)
	if len(res) != 200 {
		t.Fatalf("%d results, want 200", len(res))
	}
	for _, r := range res {
		if !r.Passed {
			t.Fatalf("%s: %+v", r.Name, r.Failures)
		}
	}
}

// BenchmarkMeshTest11k is DESIGN.md §6's target for meshfleet test: 1,000
// cases over the 11,000-resource corpus of BenchmarkLint11k, which it must
// beat (compare the two in one interleaved run).
func BenchmarkMeshTest11k(b *testing.B) {
	dir := b.TempDir()
	lint.WriteCorpus(b, dir, 1000)
	writeMeshTests(b, dir, 1000, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := runMeshTests(b, dir); len(res) != 1000 {
			b.Fatalf("%d results, want 1000", len(res))
		}
	}
}
