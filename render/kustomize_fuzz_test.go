package render

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// FuzzKustomize builds a fuzzed kustomization (beside a resource, a fleet
// and a base) through the guard and the pre-build walk: whatever it says,
// the build returns objects or a positioned *manifest.Error, never panics,
// and never starts a process (a trap for every program an attack would run
// is first on PATH). Remote references never reach a connection: the walk
// refuses them first (TestHostileKustomizationsOpenNoSocket proves it with
// a listener).
func FuzzKustomize(f *testing.F) {
	for _, s := range []string{
		"resources:\n- cm.yaml\n- base\ngenerators:\n- fleet.yaml\n",
		"generators:\n- |-\n  apiVersion: v1\n  kind: X\n  metadata:\n    name: x\n    annotations:\n      config.kubernetes.io/function: |\n        exec: {path: /bin/sh, args: [-c, 'touch PWNED']}\n",
		"resources:\n- https://example.com/x.yaml\n- git@github.com:a/b.git\n",
		"transformers:\n- fleet.yaml\nnamespace: other\n",
		"configMapGenerator:\n- name: c\n  files: [cm.yaml]\nhelmCharts:\n- name: x\n",
		"patches:\n- path: cm.yaml\n- patch: |-\n    a: &a [*a]\n",
		"components:\n- ../../..\nopenapi:\n  path: /etc/passwd\n",
	} {
		f.Add(s)
	}
	traps := f.TempDir()
	marker := filepath.Join(f.TempDir(), "ran")
	for _, name := range []string{"sh", "bash", "git", "ssh", "meshfleet", "kustomize", "helm", "curl"} {
		script := "#!/bin/sh\necho \"$0\" >> " + marker + "\n"
		if err := os.WriteFile(filepath.Join(traps, name), []byte(script), 0o755); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, kustomization string) {
		t.Setenv("PATH", traps)
		dir := repoDir(t)
		writeFiles(t, dir, map[string]string{
			"app/kustomization.yaml":      kustomization,
			"app/cm.yaml":                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
			"app/fleet.yaml":              "apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata:\n  name: stock\n  namespace: inventory\nspec:\n  ports: [{name: http, port: 8080}]\n",
			"app/base/kustomization.yaml": "resources:\n- cm.yaml\n",
			"app/base/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\n",
		})
		_, err := BuildKustomization(filepath.Join(dir, "app"))
		var me *manifest.Error
		if err != nil && !errors.As(err, &me) {
			t.Fatalf("error %v is not a *manifest.Error", err)
		}
		if b, err := os.ReadFile(marker); err == nil {
			t.Fatalf("the build started a process: %s", b)
		}
	})
}
