package lint

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestCollectKustomizeOwned: a walk skips a kustomization's (or a
// Component's) file and the files it names as patches and generator
// inputs, with one notice; its resources, and files it does not name, are
// read as before.
func TestCollectKustomizeOwned(t *testing.T) {
	root := writeFiles(t, map[string]string{
		"app/kustomization.yaml": "resources: [svc.yaml]\npatches:\n  - path: p/a.yaml\n  - patch: |-\n      - op: remove\n        path: /x\npatchesStrategicMerge: [b.yaml, ../outside.yaml]\nconfigMapGenerator:\n  - name: c\n    files: [k=conf.yaml]\n    envs: [vars.env]\n",
		"app/svc.yaml":           "kind: Service\n",
		"app/p/a.yaml":           "kind: Deployment\n",
		"app/b.yaml":             "kind: Deployment\n",
		"app/conf.yaml":          "a: 1\n",
		"app/stray.yaml":         "kind: Deployment\n",
		"outside.yaml":           "kind: Deployment\n",
		"comp/kustomization.yml": "kind: Component\npatchesJson6902:\n  - path: j.yaml\n",
		"comp/j.yaml":            "- op: add\n",
		"comp/res.yaml":          "kind: Service\n",
		// Generator and transformer configs are whole objects (a VMFleet
		// used as a generator): linted.
		"gen/kustomization.yaml": "generators: [fleet.yaml]\ntransformers: [labels.yaml]\ncrds: [crd.yaml]\n",
		"gen/fleet.yaml":         "kind: VMFleet\n",
		"gen/labels.yaml":        "kind: LabelTransformer\n",
		"gen/crd.yaml":           "kind: CustomResourceDefinition\n",
	})
	var notices []string
	jobs, probs := collect([]string{root}, "", excluder{}, func(n string) { notices = append(notices, n) })
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	var got []string
	for _, j := range jobs {
		rel, _ := filepath.Rel(root, j.path)
		got = append(got, filepath.ToSlash(rel))
	}
	want := "app/stray.yaml app/svc.yaml comp/res.yaml gen/crd.yaml gen/fleet.yaml gen/labels.yaml outside.yaml"
	if strings.Join(got, " ") != want {
		t.Errorf("jobs = %v, want %s", got, want)
	}
	all := strings.Join(notices, "\n")
	for _, w := range []string{
		"app/kustomization.yaml: skipped: a kustomization (pass its directory to lint its build), with the 3 files it names as patches or generator inputs (b.yaml, conf.yaml, p/a.yaml)",
		"comp/kustomization.yml: skipped: a kustomize Component (built only into a kustomization that lists it under components: lint that one's directory), with the file it names as a patch or generator input (j.yaml)",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("notices lack %q:\n%s", w, all)
		}
	}

	// A Component named as a path cannot be built: MF100 that says so.
	_, probs = collect([]string{filepath.Join(root, "comp")}, "", excluder{}, func(string) {})
	if len(probs) != 1 || !strings.Contains(probs[0].Msg, "a kustomize Component cannot be built alone") {
		t.Errorf("component as a path: got %v", probs)
	}
}

// TestTemplates: a file that does not parse and holds template markers is
// skipped with a notice and counted, or MF100 when the input is complete;
// one without markers stays MF100; one that parses is linted.
func TestTemplates(t *testing.T) {
	root := writeFiles(t, map[string]string{
		"jinja.yaml":  "{% for s in services %}\nkind: Service\n{% endfor %}\n",
		"helm.yaml":   "metadata:\n  labels:\n    {{- include \"x\" . | nindent 4 }}\n",
		"broken.yaml": "a: [\n",
		// Broken elsewhere than at its template constructs: still MF100.
		"rule.yaml":    "kind: PrometheusRule\nspec:\n  groups:\n    - rules:\n        - alert: Down\n          annotations:\n            summary: \"{{ $labels.instance }} down\"\n         expr: up == 0\n",
		"script.yaml":  "kind: ConfigMap\ndata:\n  run.sh: |\n    echo ${HOME}\n  other: [a, b\n",
		"ansible.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ item }}\n",
		"env.yaml":     "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: \"${NAME}\", namespace: shop}\n",
	})
	for _, complete := range []bool{false, true} {
		var notices []string
		res, err := testEngine(t).Lint(context.Background(), Options{
			Paths: []string{root}, Complete: &complete, Notice: func(n string) { notices = append(notices, n) },
		})
		if err != nil {
			t.Fatal(err)
		}
		var mf100 []string
		for _, f := range res.Report.Findings {
			if f.Rule == "MF100" {
				mf100 = append(mf100, filepath.Base(f.File))
			}
		}
		want, skipped := "broken.yaml rule.yaml script.yaml", 3
		if complete {
			want, skipped = "ansible.yaml broken.yaml helm.yaml jinja.yaml rule.yaml script.yaml", 0
		}
		if strings.Join(mf100, " ") != want || res.Report.Summary.Skipped != skipped {
			t.Errorf("complete=%v: MF100 on %v, %d skipped; want %s, %d", complete, mf100, res.Report.Summary.Skipped, want, skipped)
		}
		if res.Report.Summary.Resources != 1 {
			t.Errorf("complete=%v: %d resources, want 1 (env.yaml parses and is linted)", complete, res.Report.Summary.Resources)
		}
		if n := strings.Count(strings.Join(notices, "\n"), "skipped: a template"); n != skipped {
			t.Errorf("complete=%v: %d template notices, want %d: %v", complete, n, skipped, notices)
		}
	}
}
