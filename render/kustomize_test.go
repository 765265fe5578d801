package render

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

func TestBuildKustomization(t *testing.T) {
	dir := repoDir(t)
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
	dir := repoDir(t)
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

// TestBuildKustomizationDeadline: a build that outlives its deadline fails,
// naming the limit, instead of hanging the caller.
func TestBuildKustomizationDeadline(t *testing.T) {
	dir := repoDir(t)
	writeFiles(t, dir, map[string]string{
		"kustomization.yaml": "resources:\n- cm.yaml\n",
		"cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cart\n",
	})
	_, err := BuildKustomizationWith(dir, Options{BuildDeadline: time.Nanosecond})
	if err == nil || !strings.HasSuffix(err.Error(), "kustomize build exceeded the 1ns build deadline") {
		t.Errorf("error %v, want the deadline named", err)
	}
	if got := DefaultBuildDeadline.String(); got != "2m0s" {
		t.Errorf("DefaultBuildDeadline = %s, want 2m0s", got)
	}
}

// TestBuildKustomizationRefusals pins decisions the hostile fixtures do not:
// what is allowed stays allowed (builtin plugin configs, local files and
// directories, inline patches), and in-process limits are said plainly.
func TestBuildKustomizationRefusals(t *testing.T) {
	fleet := "apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: {name: a, namespace: shop}\nspec:\n  ports: [{name: http, port: 80}]\n"
	dir := repoDir(t)
	writeFiles(t, dir, map[string]string{
		"ok/kustomization.yaml": `resources:
- ../base
configMapGenerator:
- name: c
  files: [k=settings.txt]
patchesStrategicMerge:
- |-
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: base}
  data: {patched: "yes"}
transformers:
- |-
  apiVersion: builtin
  kind: LabelTransformer
  metadata: {name: l}
  labels: {team: a}
  fieldSpecs: [{path: metadata/labels, create: true}]
`,
		"ok/settings.txt":            "x\n",
		"base/kustomization.yaml":    "resources:\n- cm.yaml\n",
		"base/cm.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base}\n",
		"deep/kustomization.yaml":    "resources:\n- ../trafo\n",
		"trafo/kustomization.yaml":   "transformers:\n- fleet.yaml\n",
		"trafo/fleet.yaml":           fleet,
		"order/kustomization.yaml":   "transformers:\n- fleet.yaml\n- |-\n  apiVersion: builtin\n  kind: LabelTransformer\n  metadata: {name: l}\n  labels: {a: b}\n",
		"order/fleet.yaml":           fleet,
		"valid/kustomization.yaml":   "validators:\n- fleet.yaml\n",
		"valid/fleet.yaml":           fleet,
		"mixed/kustomization.yaml":   "generators:\n- fleet.yaml\n",
		"mixed/fleet.yaml":           fleet + "---\napiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: c}\n",
		"missing/kustomization.yaml": "resources:\n- not-here\n",
		"gendir/kustomization.yaml":  "generators:\n- ../base\n",
	})
	out, err := BuildKustomization(filepath.Join(dir, "ok"))
	if err != nil {
		t.Fatalf("ok: %v", err)
	}
	for _, want := range []string{"patched: \"yes\"", "team: a", "k: |"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ok: output lacks %q:\n%s", want, out)
		}
	}
	for _, tc := range []struct{ dir, msg string }{
		{"deep", "trafo/kustomization.yaml:2:3: transformers[0]: a VMFleet under transformers: is expanded in-process only in the kustomization being built"},
		{"order", "order/kustomization.yaml:3:3: transformers[1]: a transformer after a VMFleet transformer is not supported in-process"},
		{"valid", "valid/kustomization.yaml:2:3: validators[0]: a VMFleet under validators: adds resources"},
		{"mixed", "mixed/kustomization.yaml:2:3: generators[0]: VMFleets and other plugin configs in one entry"},
		{"missing", `missing/kustomization.yaml:2:3: resources[0]: "not-here" is not a local file or directory`},
		{"gendir", `gendir/kustomization.yaml:2:3: generators[0]: "../base" is a directory`},
	} {
		_, err := BuildKustomization(filepath.Join(dir, tc.dir))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want …%s…", tc.dir, err, tc.msg)
		}
	}
}

// repoDir is a temporary directory that is a repository root (it holds
// .git), the tree a build may read (manifest.Boundary).
func repoDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Mkdir(filepath.Join(d, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestBuildKustomizationBoundary pins that a build reads nothing outside
// the repository: not a base beside it (another checkout on a CI runner or
// an Argo CD repo-server), not through a link to a directory outside, and
// not a file through a link.
func TestBuildKustomizationBoundary(t *testing.T) {
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{
		"base/kustomization.yaml": "resources:\n- cm.yaml\n",
		"base/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: secret-from-elsewhere\n",
		"cm.yaml":                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: secret-file\n",
	})
	repo := repoDir(t)
	climb, err := filepath.Rel(filepath.Join(repo, "climb"), filepath.Join(outside, "base"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, repo, map[string]string{
		"climb/kustomization.yaml":  "resources:\n- " + climb + "\n",
		"linked/kustomization.yaml": "resources:\n- base\n",
		"file/kustomization.yaml":   "resources:\n- cm.yaml\n",
		"inside/kustomization.yaml": "resources:\n- ../shared\n",
		"shared/kustomization.yaml": "resources:\n- cm.yaml\n",
		"shared/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n",
	})
	if err := os.Symlink(filepath.Join(outside, "base"), filepath.Join(repo, "linked", "base")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "cm.yaml"), filepath.Join(repo, "file", "cm.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"climb", "linked", "file"} {
		out, err := BuildKustomization(filepath.Join(repo, dir))
		if err == nil || strings.Contains(string(out), "secret") {
			t.Errorf("%s: built %q, %v; want a refusal", dir, out, err)
		} else if !strings.Contains(err.Error(), "outside") && !strings.Contains(err.Error(), "security") {
			t.Errorf("%s: error %v does not say the path is outside the tree", dir, err)
		}
	}
	out, err := BuildKustomization(filepath.Join(repo, "inside"))
	if err != nil || !strings.Contains(string(out), "name: shared") {
		t.Errorf("inside: %q, %v; want the shared base built", out, err)
	}
}
