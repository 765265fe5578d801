package cli

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// FuzzFn feeds arbitrary bytes to the KRM function as its stdin. It calls
// runFn directly, below Main's recover, so a panic fails the fuzz run instead
// of becoming exit 2. Whatever the input: exit 0, 1 or 2, and exit 2 (input
// refused) writes nothing on stdout.
func FuzzFn(f *testing.F) {
	for _, seed := range []string{
		"",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: meshfleet.dev/v1alpha1\n  kind: VMFleet\n  metadata: {name: a, namespace: b}\n  spec:\n    ports: [{name: http, port: 8080}]\n    vms: [{address: 10.0.0.1}]\n",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  apiVersion: meshfleet.dev/v1alpha1\n  kind: VMFleet\n  metadata: {name: a}\n  spec: {ports: [{name: http, port: 80}], vms: [{address: nope}]}\n",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n  spec: {selector: {app: a}}\nfunctionConfig:\n  apiVersion: meshfleet.dev/v1alpha1\n  kind: LintConfig\n  failOn: info\n  severity: {MF201: x}\n",
		"a: &a [1,2]\nb: [*a,*a]\n",
		`{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[{"kind":"VMFleet"}]}`,
		"items: [unclosed\n",
		"--- !!binary\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var stdout, stderr bytes.Buffer
		code := runFn(&Env{Stdin: bytes.NewReader(data), Stdout: &stdout, Stderr: &stderr}, nil)
		switch code {
		case ExitOK, ExitFindings:
		case ExitUsage:
			if stdout.Len() > 0 {
				t.Fatalf("exit 2 wrote stdout:\n%s", stdout.Bytes())
			}
		default:
			t.Fatalf("exit %d, want 0, 1 or 2; stderr:\n%s", code, stderr.Bytes())
		}
	})
}

// kptFn runs `kpt fn eval --exec meshfleet` (this test binary, which
// TestMain put on PATH as meshfleet) on dir, skipping the test when kpt is
// not installed.
func kptFn(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	kpt, err := exec.LookPath("kpt")
	if err != nil {
		t.Skip("kpt is not installed (not on PATH): the kpt round trip needs it")
	}
	self, err := exec.LookPath("meshfleet")
	if err != nil {
		t.Fatalf("meshfleet (the test binary) not on PATH: %v", err)
	}
	cmd := exec.Command(kpt, append([]string{"fn", "eval", "--exec", self}, append(args, dir)...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// snapshot reads every file under dir, by slash path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const kptFleet = `# the stock fleet
apiVersion: meshfleet.dev/v1alpha1
kind: VMFleet
metadata:
  name: stock
  namespace: inventory
spec:
  ports:
  - {name: http, port: 8080}
  vms:
  - address: 10.0.0.5
`

// TestFnKptRoundTrip runs the real kpt twice over a package: the first run
// adds the rendered resources and marks the fleet local-config, the second
// changes no file (no duplicates, the fleet kept).
func TestFnKptRoundTrip(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"fleets/stock.yaml": kptFleet,
		"settings.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: inventory}\n",
	})
	if out, err := kptFn(t, dir); err != nil {
		t.Fatalf("first kpt run: %v\n%s", err, out)
	}
	first := snapshot(t, dir)
	fleet := first["fleets/stock.yaml"]
	if !strings.Contains(fleet, "config.kubernetes.io/local-config: 'true'") || !strings.Contains(fleet, "# the stock fleet") {
		t.Errorf("fleets/stock.yaml after kpt, want the fleet kept, local-config, comment and all:\n%s", fleet)
	}
	groups := 0
	for _, text := range first {
		groups += strings.Count(text, "kind: WorkloadGroup\n")
	}
	if groups != 1 || len(first) < 4 {
		t.Errorf("%d WorkloadGroups in %d files after the first run, want 1:\n%v", groups, len(first), first)
	}
	if out, err := kptFn(t, dir); err != nil {
		t.Fatalf("second kpt run: %v\n%s", err, out)
	}
	if diff := cmp.Diff(first, snapshot(t, dir)); diff != "" {
		t.Errorf("the second kpt run changed the package (-first +second):\n%s", diff)
	}
}

// TestFnKptValidator runs meshfleet as a kpt validator (--fn-config a
// LintConfig): findings come back as results naming the file, kpt fails
// at failOn, and no file changes.
func TestFnKptValidator(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"fleets/stock.yaml": strings.Replace(kptFleet, "  vms:\n", "  traffic:\n    subsets:\n      next: {version: v2}\n  vms:\n", 1),
		"mesh/dr.yaml":      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: inventory}\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: other, namespace: inventory}\nspec:\n  host: stock.inventory.svc.cluster.local\n  subsets:\n  - name: canary\n    labels: {runtime: vm}\n",
	})
	cfg := filepath.Join(t.TempDir(), "lintconfig.yaml")
	writeFiles(t, filepath.Dir(cfg), map[string]string{"lintconfig.yaml": "apiVersion: meshfleet.dev/v1alpha1\nkind: LintConfig\nmetadata: {name: lint}\nfailOn: warning\n"})
	before := snapshot(t, dir)
	out, err := kptFn(t, dir, "--fn-config", cfg)
	if err == nil {
		t.Fatalf("kpt passed a package with findings:\n%s", out)
	}
	for _, want := range []string{
		// No route uses either subset: dead configuration, a warning,
		// which the LintConfig's failOn: warning fails on.
		"[warning] networking.istio.io/v1/DestinationRule/inventory/other spec.subsets[0].labels: mesh/dr.yaml: spec.subsets[0].labels: MF301 ",
		"[warning] meshfleet.dev/v1alpha1/VMFleet/inventory/stock spec.traffic.subsets: fleets/stock.yaml: spec.traffic.subsets: MF301 ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("kpt output lacks %q:\n%s", want, out)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("the validator changed the package:\n%s", diff)
	}
	// Below failOn, kpt passes and still shows the findings.
	writeFiles(t, filepath.Dir(cfg), map[string]string{"lintconfig.yaml": "apiVersion: meshfleet.dev/v1alpha1\nkind: LintConfig\nmetadata: {name: lint}\nseverity: {MF301: info}\n"})
	if out, err := kptFn(t, dir, "--fn-config", cfg); err != nil || !strings.Contains(out, "[info] ") {
		t.Errorf("kpt with MF301 as info: %v\n%s", err, out)
	}
}

// TestFnKustomizeValidator runs meshfleet with a LintConfig in a real
// kustomize build (krusty with exec on, as kustomize build
// --enable-alpha-plugins --enable-exec runs it, this test binary on PATH as
// meshfleet). Under validators: kustomize fails every exec validator that
// passes, since its own runtime adds path annotations to the items and it
// then calls that a modification (kubernetes-sigs/kustomize#5036): this
// test notices when that is fixed. Under transformers: the lint gate works:
// a finding at failOn stops the build (kustomize shows meshfleet's stderr,
// not the results) and a clean build passes the objects unchanged.
func TestFnKustomizeValidator(t *testing.T) {
	if _, err := exec.LookPath("meshfleet"); err != nil {
		t.Fatalf("meshfleet (the test binary) not on PATH: %v", err)
	}
	const lintCfg = "apiVersion: meshfleet.dev/v1alpha1\nkind: LintConfig\nmetadata:\n  name: lint\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: meshfleet\nfailOn: warning\n"
	const objects = "apiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {app: cart}\n  ports:\n  - {name: http, port: 80}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {matchLabels: {app: cart}}\n  template:\n    metadata: {labels: {app: cart, version: v1}}\n    spec:\n      containers:\n      - {name: cart, image: cart}\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: cart, namespace: shop}\nspec:\n  host: cart.shop.svc.cluster.local\n  subsets:\n  - name: next\n    labels: {version: v2}\n"
	dir := t.TempDir()
	build := func(field, objs string) (string, error) {
		writeFiles(t, dir, map[string]string{
			"kustomization.yaml": "resources:\n- objects.yaml\n" + field + ":\n- lint.yaml\n",
			"lint.yaml":          lintCfg,
			"objects.yaml":       objs,
		})
		pc := types.MakePluginConfig(types.PluginRestrictionsNone, types.BploUseStaticallyLinked)
		pc.FnpLoadingOptions.EnableExec = true
		opts := krusty.MakeDefaultOptions()
		opts.PluginConfig = pc
		m, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
		if err != nil {
			return "", err
		}
		out, err := m.AsYaml()
		return string(out), err
	}
	clean := strings.Replace(objects, "version: v2", "version: v1", 1)
	if _, err := build("validators", clean); err == nil || !strings.Contains(err.Error(), "validator shouldn't modify the resource map") {
		t.Errorf("kustomize ran a passing exec validator (%v): kubernetes-sigs/kustomize#5036 is fixed, update the README", err)
	}
	if _, err := build("transformers", objects); err == nil || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("build with an MF301 finding: %v, want it to fail", err)
	}
	out, err := build("transformers", clean)
	if err != nil || strings.Count(out, "\nkind: ") != 3 || strings.Contains(out, "LintConfig") {
		t.Errorf("clean build: %v\n%s", err, out)
	}
}
