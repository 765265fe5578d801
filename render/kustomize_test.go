package render

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

func TestBuildKustomization(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"kustomization.yaml": "namespace: shop\nresources:\n- cm.yaml\n",
		"cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cart\ndata:\n  colour: blue\n",
	})
	out, err := BuildKustomization(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "namespace: shop") || !strings.Contains(string(out), "colour: blue") {
		t.Errorf("build output lacks the transformed ConfigMap:\n%s", out)
	}
}

// TestBuildKustomizationGuard pins the STYLE.md trap: kyaml would expand the
// alias bomb, so the guard must refuse it, with its position, first — also
// in a base outside the kustomization's directory. It also refuses every KRM
// function, meshfleet's own exec annotation included, with its position.
func TestBuildKustomizationGuard(t *testing.T) {
	bomb := `apiVersion: v1
kind: ConfigMap
metadata: {name: bomb}
data:
  a: &a ["x","x","x","x","x","x","x","x","x","x"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
`
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"direct/kustomization.yaml":  "resources:\n- bomb.yaml\n",
		"direct/bomb.yaml":           bomb,
		"base/kustomization.yml":     "resources:\n- bomb.json\n",
		"base/bomb.json":             bomb,
		"overlay/kustomization.yaml": "resources:\n- ../base\n",
		"dupkey/kustomization.yaml":  "resources:\n- a.yaml\nresources:\n- b.yaml\n",
		"shell/kustomization.yaml":   "generators:\n- gen.yaml\n",
		"shell/gen.yaml":             fnConfig("config.kubernetes.io/function", "exec:\n  path: /bin/sh\n"),
		"args/kustomization.yaml":    "generators:\n- gen.yaml\n",
		"args/gen.yaml":              fnConfig("config.kubernetes.io/function", "exec:\n  path: meshfleet\n  args: [render, -o, /tmp/x, .]\n"),
		"image/kustomization.yaml":   "transformers:\n- gen.yaml\n",
		"image/gen.yaml":             fnConfig("config.k8s.io/function", "container:\n  image: example.com/fn\n"),
		"legacy/kustomization.yaml":  "generators:\n- gen.yaml\n",
		"legacy/gen.yaml":            fnConfig("config.kubernetes.io/container", "example.com/fn"),
	})
	for _, tc := range []struct{ dir, file, msg string }{
		{"direct", "direct/bomb.yaml", "aliases expand to more than"},
		{"overlay", "base/bomb.json", "aliases expand to more than"},
		{"dupkey", "dupkey/kustomization.yaml", `duplicate key "resources"`},
		{"shell", "shell/gen.yaml", "refused: meshfleet runs only kustomize's builtin plugins"},
		{"args", "args/gen.yaml", "refused: meshfleet runs only kustomize's builtin plugins"},
		{"image", "image/gen.yaml", "refused: meshfleet runs only kustomize's builtin plugins"},
		{"legacy", "legacy/gen.yaml", "refused: meshfleet runs only kustomize's builtin plugins"},
	} {
		_, err := BuildKustomization(filepath.Join(dir, tc.dir))
		var me *manifest.Error
		if !errors.As(err, &me) {
			t.Errorf("%s: error %v, want a positioned *manifest.Error", tc.dir, err)
			continue
		}
		if !strings.HasSuffix(me.File, tc.file) || me.Line == 0 || !strings.Contains(me.Msg, tc.msg) {
			t.Errorf("%s: error %v, want %s:line:col: ...%s", tc.dir, err, tc.file, tc.msg)
		}
	}
}

func fnConfig(annotation, spec string) string {
	return "apiVersion: example.com/v1\nkind: Generator\nmetadata:\n  name: gen\n  annotations:\n    " + annotation + ": |\n" + indentLines(spec, "      ") + "spec: {}\n"
}

func indentLines(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	if !strings.HasSuffix(s, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}
