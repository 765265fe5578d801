package render

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildKustomizationLintConfig: an in-process build cannot lint (render
// never imports lint), and skipping a validator would pass a build that
// kustomize fails, so a LintConfig is refused at its entry, saying what to
// do instead; in a file or inline, under validators: or elsewhere.
func TestBuildKustomizationLintConfig(t *testing.T) {
	const cfg = "apiVersion: meshfleet.dev/v1alpha1\nkind: LintConfig\nmetadata: {name: lint}\nfailOn: warning\n"
	dir := repoDir(t)
	writeFiles(t, dir, map[string]string{
		"file/kustomization.yaml":   "resources:\n- cm.yaml\nvalidators:\n- lint.yaml\n",
		"file/cm.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"file/lint.yaml":            cfg,
		"inline/kustomization.yaml": "validators:\n- |-\n  " + strings.ReplaceAll(strings.TrimSpace(cfg), "\n", "\n  ") + "\n",
		"gen/kustomization.yaml":    "generators:\n- lint.yaml\n",
		"gen/lint.yaml":             cfg,
	})
	for _, tc := range []struct{ dir, msg string }{
		{"file", "file/lint.yaml:2:1: kind: a LintConfig under validators: runs only in kustomize build --enable-alpha-plugins --enable-exec, meshfleet on PATH; in-process builds do not lint and would skip it: remove the entry and lint the build with meshfleet lint DIR"},
		{"inline", "inline/kustomization.yaml:2:3: validators[0]: inline config: kind: a LintConfig under validators: runs only in kustomize build"},
		{"gen", "gen/lint.yaml:2:1: kind: a LintConfig is a validator"},
	} {
		_, err := BuildKustomization(filepath.Join(dir, tc.dir))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want …%s…", tc.dir, err, tc.msg)
		}
	}
}
