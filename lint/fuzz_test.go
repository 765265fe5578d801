package lint

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader as one input: whatever they
// are, lint returns findings (MF100 at worst) and never panics or fails.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {selector: {app: a}}\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, labels: {app: a}}\n",
		"apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: {name: a, namespace: b}\nspec: {ports: [{name: http, port: 80}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  http: [{route: [{destination: {host: a, subset: s}}]}]\n",
		"a: &a [*a]\n",
		"{\"apiVersion\": \"v1\", \"kind\": \"Service\"}",
		"---\n---\n# only comments\n",
		"a: [1, 2\n",
	} {
		f.Add([]byte(seed))
	}
	eng := testEngine(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := eng.Lint(context.Background(), Options{Paths: []string{"-"}, Stdin: bytes.NewReader(data), Workers: 1})
		if err != nil {
			t.Fatalf("lint failed: %v", err)
		}
		for _, f := range res.Report.Findings {
			if f.Rule == "" || f.Severity == "" || f.File == "" {
				t.Fatalf("incomplete finding %+v", f)
			}
		}
	})
}

// FuzzLintFiles lints two fuzzed files in one directory: multi-file and
// multi-document input, cross-file references through the index. Whatever
// they hold, lint never fails or panics, every finding names one of the
// two files, and the report is the same on one worker as on four.
func FuzzLintFiles(f *testing.F) {
	seeds := [][2]string{
		{"apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: s}\nspec: {selector: {app: a}, ports: [{name: http, port: 80}]}\n",
			"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: a, namespace: s}\nspec: {host: a, subsets: [{name: v1, labels: {version: v1}}]}\n"},
		{"x: &a [1]\n---\ny: *a\n", "---\n---\n"},
		{"apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: {name: a, namespace: s}\nspec: {ports: [{name: http, port: 80}]}\n",
			"apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: s}\nspec: {rules: [{from: [{source: {principals: [cluster.local/ns/s/sa/x]}}]}]}\n"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	eng := testEngine(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(a), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
		var reports [2]string
		for i, workers := range []int{1, 4} {
			res, err := eng.Lint(context.Background(), Options{Paths: []string{dir}, Workers: workers})
			if err != nil {
				t.Fatalf("lint failed: %v", err)
			}
			for _, f := range res.Report.Findings {
				if base := filepath.Base(f.File); base != "a.yaml" && base != "b.yaml" {
					t.Fatalf("finding names %q", f.File)
				}
			}
			reports[i] = fmt.Sprint(res.Report.Findings, res.Report.Summary)
		}
		if reports[0] != reports[1] {
			t.Fatalf("one worker and four disagree:\n%s\n%s", reports[0], reports[1])
		}
	})
}
