package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/meshfleet/meshfleet/internal/corpus"
)

// fleetsPerNamespace spreads the corpus like a real mesh: about ten
// services per namespace, so namespaces grow with the corpus.
const fleetsPerNamespace = 10

// writeCorpus writes n fleets' worth of manifests under dir, ten fleets to
// a namespace (internal/corpus), and returns how many resources it wrote.
func writeCorpus(tb testing.TB, dir string, n int) int {
	tb.Helper()
	total, err := corpus.Mesh(dir, n, fleetsPerNamespace)
	if err != nil {
		tb.Fatal(err)
	}
	return total
}

func benchLint(b *testing.B, fleets int) { benchLintSpread(b, fleets, fleetsPerNamespace) }

// benchLintSpread lints fleets fleets, perNamespace to a namespace.
func benchLintSpread(b *testing.B, fleets, perNamespace int) {
	dir := b.TempDir()
	n, err := corpus.Mesh(dir, fleets, perNamespace)
	if err != nil {
		b.Fatal(err)
	}
	eng := testEngine(b)
	// As the CLI does (internal/cli tuneGC): GOGC=400 and a soft memory
	// limit of 60 bytes per input byte, at least 160 MiB.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	loaded := func(n int64) { debug.SetMemoryLimit(max(160<<20, 60*n)) }
	want := corpus.Injected(fleets, perNamespace)
	var sum Timings
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := eng.Lint(context.Background(), Options{Paths: []string{dir}, Loaded: loaded})
		if err != nil {
			b.Fatal(err)
		}
		checkInjected(b, dir, res, n, want)
		t := res.Timings
		sum.Parse += t.Parse
		sum.Render += t.Render
		sum.Index += t.Index
		sum.Eval += t.Eval
		sum.Findings += t.Findings
	}
	ms := func(d interface{ Milliseconds() int64 }) float64 { return float64(d.Milliseconds()) / float64(b.N) }
	b.ReportMetric(ms(sum.Parse), "parse-ms/op")
	b.ReportMetric(ms(sum.Index), "index-ms/op")
	b.ReportMetric(ms(sum.Eval), "eval-ms/op")
	b.ReportMetric(ms(sum.Findings), "findings-ms/op")
}

// BenchmarkLint11k is DESIGN.md §6's main target: 11,000 resources.
func BenchmarkLint11k(b *testing.B) { benchLint(b, 1000) }

// BenchmarkLint11k1000NS is the same 11,000 resources in 1,000 namespaces:
// per-namespace overhead must not show (DESIGN.md §6: within 10%).
func BenchmarkLint11k1000NS(b *testing.B) { benchLintSpread(b, 1000, 1) }

// BenchmarkLint110k checks growth stays linear at ten times the size.
func BenchmarkLint110k(b *testing.B) {
	if testing.Short() {
		b.Skip("110k resources: skipped with -short")
	}
	benchLint(b, 10000)
}

// TestWriteCorpus writes a benchmark corpus for whole-process timing when
// MESHFLEET_CORPUS=DIR[:FLEETS] is set, e.g.
// MESHFLEET_CORPUS=/tmp/corpus:1000 go test ./lint -run TestWriteCorpus.
// Generated corpora are never committed.
func TestWriteCorpus(t *testing.T) {
	spec := os.Getenv("MESHFLEET_CORPUS")
	if spec == "" {
		t.Skip("set MESHFLEET_CORPUS=DIR[:FLEETS] to write a corpus")
	}
	dir, count, _ := strings.Cut(spec, ":")
	fleets := 1000
	if count != "" {
		var err error
		if fleets, err = strconv.Atoi(count); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("wrote %d resources to %s", writeCorpus(t, dir, fleets), dir)
}

// TestCorpusFindings pins what the corpus's injected defects produce, so
// the benchmarks measure a run whose answer is known.
func TestCorpusFindings(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, 100)
	res, err := testEngine(t).Lint(context.Background(), Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Report.Findings {
		got = append(got, fmt.Sprintf("%s:%d %s %s", filepath.Base(f.File), f.Line, f.Rule, f.Path))
	}
	want := []string{
		"svc-0097.yaml:8 MF201 spec.selector",
		"svc-0098.yaml:82 MF301 spec.subsets[1].labels",
		"svc-0099.yaml:100 MF302 spec.http[1].route[1].destination.subset",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCorpusScale is issue 11's scale test at 11,000 resources, one fleet
// per namespace (1,000 namespaces): every injected defect is found, at its
// file and field, and nothing else: no clean namespace is warned.
// BenchmarkLint110k holds the same at 110,000.
func TestCorpusScale(t *testing.T) {
	if testing.Short() {
		t.Skip("11,000 resources: skipped with -short")
	}
	dir := t.TempDir()
	n, err := corpus.Mesh(dir, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := testEngine(t).Lint(context.Background(), Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	checkInjected(t, dir, res, n, corpus.Injected(1000, 1))
}

// checkInjected demands exactly the injected findings of a corpus run.
func checkInjected(tb testing.TB, dir string, res *Result, resources int, want []corpus.Defect) {
	tb.Helper()
	if res.Report.Summary.Resources != resources {
		tb.Fatalf("linted %d resources, want %d", res.Report.Summary.Resources, resources)
	}
	var got []corpus.Defect
	for _, f := range res.Report.Findings {
		rel, err := filepath.Rel(dir, f.File)
		if err != nil {
			rel = f.File
		}
		got = append(got, corpus.Defect{File: rel, Rule: f.Rule, Path: f.Path})
	}
	if len(got) != len(want) {
		tb.Fatalf("%d findings, want the %d injected ones; first: %v", len(got), len(want), got[:min(len(got), 5)])
	}
	for i := range want {
		if got[i] != want[i] {
			tb.Fatalf("finding %d is %+v, want injected %+v", i, got[i], want[i])
		}
	}
}
