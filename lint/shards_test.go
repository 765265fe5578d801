package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/internal/corpus"
	"github.com/meshfleet/meshfleet/lint/finding"
)

// TestShardingSameFindings holds the built-in rules to the same findings
// however namespaces are grouped into shards: one namespace per shard (the
// contract user policies keep), the default size, and every namespace in
// one shard; on the corpus (many namespaces, injected defects), on every
// lint fixture alone and on all of them together.
func TestShardingSameFindings(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Mesh(dir, 300, 3); err != nil {
		t.Fatal(err)
	}
	paths := []string{dir, "../fixtures/lint", apartFixtures(t)}
	cases, err := filepath.Glob("../fixtures/lint/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			paths = append(paths, c)
		}
	}
	one, def, all := newTestEngine(t), testEngine(t), newTestEngine(t)
	one.shardSize, all.shardSize = 1, 1<<30
	findings := 0
	for _, path := range paths {
		var got [3][]finding.Finding
		for i, e := range []*Engine{one, def, all} {
			res, err := e.Lint(context.Background(), Options{Paths: []string{path}})
			if err != nil {
				t.Fatal(err)
			}
			got[i] = res.Report.Findings
		}
		findings += len(got[0])
		if d := cmp.Diff(got[0], got[1]); d != "" {
			t.Errorf("%s: default shards differ from one namespace per shard (-one +default):\n%s", path, d)
		}
		if d := cmp.Diff(got[0], got[2]); d != "" {
			t.Errorf("%s: one shard differs from one namespace per shard (-one +all):\n%s", path, d)
		}
	}
	if findings == 0 {
		t.Fatal("no findings: the comparison proves nothing")
	}
}

// apartFixtures copies every lint fixture into one directory, each in
// namespaces of its own (its namespace names suffixed with its number;
// istio-system, default and kube-* kept), so that one input holds many
// namespaces with the same kinds of mistakes side by side: what a rule
// that compared resources across its shard's namespaces would confuse.
func apartFixtures(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	dirs, err := filepath.Glob("../fixtures/lint/*")
	if err != nil {
		t.Fatal(err)
	}
	nsRE := regexp.MustCompile(`namespace:\s*["']?([a-z0-9][a-z0-9-]*)`)
	for i, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.yaml"))
		var texts []string
		names := map[string]bool{}
		for _, f := range files {
			if filepath.Base(f) == "config.yaml" {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, string(b))
			for _, m := range nsRE.FindAllStringSubmatch(string(b), -1) {
				if ns := m[1]; ns != "istio-system" && ns != "default" && !strings.HasPrefix(ns, "kube-") {
					names[ns] = true
				}
			}
		}
		for j, text := range texts {
			for ns := range names {
				text = regexp.MustCompile(`\b`+regexp.QuoteMeta(ns)+`\b`).ReplaceAllString(text, fmt.Sprintf("%s-%d", ns, i))
			}
			if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("f%03d-%d.yaml", i, j)), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}
