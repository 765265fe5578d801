package lint

import (
	"bytes"
	"context"
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
