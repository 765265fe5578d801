package render

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// TestMain lets the test binary serve as the exec KRM function `meshfleet`
// for the old way of building (see buildWithExec): run under that name, it
// is `meshfleet fn`.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "meshfleet" {
		results, err := Fn(os.Stdin, os.Stdout, Options{IstioVersion: os.Getenv(IstioVersionEnv)})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for _, r := range results {
			fmt.Fprintln(os.Stderr, r.Message)
		}
		os.Exit(results.ExitCode())
	}
	os.Exit(m.Run())
}

// buildWithExec is how builds ran before they expanded VMFleets in-process,
// and how `kustomize build --enable-alpha-plugins --enable-exec` runs them
// with meshfleet on PATH: krusty with exec functions on, and this test binary
// first on PATH as "meshfleet". It lives here only, as the reference the
// in-process build must agree with.
func buildWithExec(t *testing.T, dir string, opts Options) []byte {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(bin, "meshfleet")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	pc := types.MakePluginConfig(types.PluginRestrictionsNone, types.BploUseStaticallyLinked)
	pc.FnpLoadingOptions.EnableExec = true
	pc.FnpLoadingOptions.Env = []string{IstioVersionEnv + "=" + opts.IstioVersion}
	kopts := krusty.MakeDefaultOptions()
	kopts.PluginConfig = pc
	m, err := krusty.MakeKustomizer(kopts).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("exec build of %s: %v", dir, err)
	}
	out, err := m.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// objects reads a build's output as plain objects sorted by identity, so two
// builds compare by what they produce, not by the order they list it in.
func objects(t *testing.T, name string, data []byte) []any {
	t.Helper()
	docs, err := manifest.Parse(name, data, manifest.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	for _, d := range docs {
		out = append(out, manifest.Value(d.Node))
	}
	id := func(o any) string {
		m, _ := o.(map[string]any)
		md, _ := m["metadata"].(map[string]any)
		return fmt.Sprint(m["apiVersion"], " ", m["kind"], " ", md["namespace"], "/", md["name"])
	}
	sort.Slice(out, func(i, j int) bool { return id(out[i]) < id(out[j]) })
	return out
}

const equivFleet = `apiVersion: meshfleet.dev/v1alpha1
kind: VMFleet
metadata:
  name: stock
  namespace: inventory
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: meshfleet
spec:
  ports:
  - {name: http, port: 8080}
  vms:
  - address: 10.0.3.7
`

const equivDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: stock-pods
  namespace: inventory
spec:
  selector:
    matchLabels: {app: stock}
  template:
    metadata:
      labels: {app: stock, version: v2}
    spec:
      containers:
      - name: stock
        image: example.com/stock:2
`

// equivCases are kustomizations meshfleet builds both ways; each names the
// directory to build.
var equivCases = map[string]struct {
	build string
	files map[string]string
	opts  Options
}{
	// internal/cli/testdata/script/kustomize.txtar's app.
	"generator-with-labels": {build: "app", files: map[string]string{
		"app/kustomization.yaml": "labels:\n- pairs:\n    team: payments\nresources:\n- deployment.yaml\ngenerators:\n- generator.yaml\n",
		"app/deployment.yaml":    equivDeployment,
		"app/generator.yaml":     equivFleet,
	}},
	"istio-1.20": {build: "app", opts: Options{IstioVersion: "1.20"}, files: map[string]string{
		"app/kustomization.yaml": "generators:\n- generator.yaml\n",
		"app/generator.yaml":     equivFleet,
	}},
	// A fleet in a base, an overlay that moves, renames and patches it.
	"overlay": {build: "overlay", files: map[string]string{
		"base/kustomization.yaml": "generators:\n- fleet.yaml\nresources:\n- deployment.yaml\n",
		"base/fleet.yaml":         equivFleet,
		"base/deployment.yaml":    equivDeployment,
		"overlay/kustomization.yaml": `namespace: staging
namePrefix: stg-
commonAnnotations: {owner: team-a}
resources:
- ../base
patches:
- target: {kind: WorkloadGroup}
  patch: |-
    - op: add
      path: /spec/template/locality
      value: eu-west-1
`,
	}},
	// A fleet written inline in the kustomization, beside a builtin
	// generator and two fleet files.
	"inline-and-builtins": {build: "app", files: map[string]string{
		"app/kustomization.yaml": `configMapGenerator:
- name: settings
  literals: [colour=blue]
generators:
- |-
  apiVersion: meshfleet.dev/v1alpha1
  kind: VMFleet
  metadata:
    name: cart
    namespace: shop
    annotations:
      config.kubernetes.io/function: |
        exec: {path: meshfleet}
  spec:
    ports: [{name: grpc, port: 9090}]
    allow: [{from: {namespaces: [web]}}]
- generator.yaml
`,
		"app/generator.yaml": equivFleet,
	}},
	// A component adding labels to what the fleet rendered.
	"component": {build: "app", files: map[string]string{
		"app/kustomization.yaml":  "generators:\n- generator.yaml\ncomponents:\n- ../comp\n",
		"app/generator.yaml":      equivFleet,
		"comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels:\n  tier: backend\n",
	}},
	// A fleet as the last transformer: the exec function received the
	// transformed resources and appended the fleet's rendering.
	"transformer": {build: "app", files: map[string]string{
		"app/kustomization.yaml": "namespace: shop\ncommonLabels: {team: web}\nresources:\n- deployment.yaml\ntransformers:\n- generator.yaml\n",
		"app/deployment.yaml":    equivDeployment,
		"app/generator.yaml":     equivFleet,
	}},
}

// TestKustomizeEquivalence proves the in-process build gives the same
// objects as kustomize running meshfleet as its exec function, for
// examples/kustomize and for every case above.
func TestKustomizeEquivalence(t *testing.T) {
	check := func(t *testing.T, dir string, opts Options) {
		got, err := BuildKustomizationWith(dir, opts)
		if err != nil {
			t.Fatalf("in-process build: %v", err)
		}
		want := buildWithExec(t, dir, opts)
		if d := cmp.Diff(objects(t, "exec build", want), objects(t, "in-process build", got)); d != "" {
			t.Errorf("in-process build differs from the exec build (-exec +in-process):\n%s", d)
		}
	}
	t.Run("examples/kustomize", func(t *testing.T) { check(t, "../examples/kustomize", Options{}) })
	for name, tc := range equivCases {
		t.Run(name, func(t *testing.T) {
			dir := repoDir(t)
			writeFiles(t, dir, tc.files)
			check(t, filepath.Join(dir, tc.build), tc.opts)
		})
	}
}
