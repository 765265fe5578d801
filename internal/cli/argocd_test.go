package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// cmpPlugin is the part of Argo CD's ConfigManagementPlugin (CMP v2) that
// decides what the sidecar runs.
type cmpPlugin struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Version  string     `yaml:"version"`
		Init     cmpCommand `yaml:"init"`
		Generate cmpCommand `yaml:"generate"`
		Discover struct {
			FileName string `yaml:"fileName"`
			Find     struct {
				Glob    string     `yaml:"glob"`
				Command cmpCommand `yaml:",inline"`
			} `yaml:"find"`
		} `yaml:"discover"`
		Parameters struct {
			Static []struct {
				Name string `yaml:"name"`
			} `yaml:"static"`
		} `yaml:"parameters"`
	} `yaml:"spec"`
}

type cmpCommand struct {
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
}

// TestArgoCD runs examples/argocd/plugin.yaml the way Argo CD's CMP sidecar
// does: the repository copied without .git (the sidecar receives a
// tarball), the working directory the application's path in it, the build
// environment, the Application's env (ARGOCD_ENV_*) and parameters (PARAM_*)
// set, each command executed directly, and nothing on PATH but meshfleet
// (this test binary) and busybox, as in the image the README builds.
// discover must print something exactly when the application is
// meshfleet's, and exit 0 either way; generate's stdout is what Argo CD
// applies.
func TestArgoCD(t *testing.T) {
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox is not installed (apt-get install busybox): the sidecar image's shell and tools cannot be simulated")
	}
	data, err := os.ReadFile("../../examples/argocd/plugin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var plugin cmpPlugin
	if err := yaml.Unmarshal(data, &plugin); err != nil {
		t.Fatalf("plugin.yaml: %v", err)
	}
	if plugin.APIVersion != "argoproj.io/v1alpha1" || plugin.Kind != "ConfigManagementPlugin" || plugin.Metadata.Name == "" {
		t.Fatalf("plugin.yaml is not a ConfigManagementPlugin: %+v", plugin)
	}
	discover, generate := plugin.Spec.Discover.Find.Command, plugin.Spec.Generate
	if plugin.Spec.Discover.FileName != "" || plugin.Spec.Discover.Find.Glob != "" || len(discover.Command) == 0 {
		t.Fatal("plugin.yaml must discover with find.command (Argo CD evaluates fileName and glob first)")
	}
	if len(generate.Command) == 0 {
		t.Fatal("plugin.yaml has no generate command")
	}
	params := map[string]bool{}
	for _, p := range plugin.Spec.Parameters.Static {
		params[p.Name] = true
	}
	for _, p := range []string{"istio-version", "lint-fail-on"} {
		if !params[p] {
			t.Errorf("plugin.yaml does not announce the parameter %s", p)
		}
	}

	bin := sidecarPath(t, busybox)

	type result struct {
		code           int
		stdout, stderr string
	}
	run := func(t *testing.T, c cmpCommand, dir, appPath string, extra []string) result {
		t.Helper()
		name := c.Command[0]
		if !strings.Contains(name, "/") {
			name = filepath.Join(bin, name)
			if _, err := os.Lstat(name); err != nil {
				t.Fatalf("the sidecar image has no %s", c.Command[0])
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second) // ARGOCD_EXEC_TIMEOUT's default
		defer cancel()
		cmd := exec.CommandContext(ctx, name, append(append([]string(nil), c.Command[1:]...), c.Args...)...)
		cmd.Args[0] = c.Command[0]
		cmd.Dir = dir
		cmd.Env = append([]string{
			"PATH=" + bin,
			"HOME=" + t.TempDir(),
			"TMPDIR=" + t.TempDir(),
			"ARGOCD_APP_NAME=" + filepath.Base(appPath),
			"ARGOCD_APP_NAMESPACE=argocd",
			"ARGOCD_APP_REVISION=0123456789abcdef0123456789abcdef01234567",
			"ARGOCD_APP_SOURCE_PATH=" + appPath,
			"ARGOCD_APP_SOURCE_REPO_URL=https://github.com/example/platform.git",
			"ARGOCD_APP_SOURCE_TARGET_REVISION=main",
			"KUBE_VERSION=1.30",
			"KUBE_API_VERSIONS=v1,apps/v1,networking.istio.io/v1,security.istio.io/v1",
		}, extra...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		r := result{stdout: stdout.String(), stderr: stderr.String()}
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("%s: %v", strings.Join(c.Command, " "), err)
			}
			r.code = ee.ExitCode()
		}
		return r
	}

	fleet := func(name, extra string) string {
		return "apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata:\n  name: " + name + "\n  namespace: " + name + "\nspec:\n  ports:\n    - {name: http, port: 8080}\n" + extra
	}
	kustomizeExample := map[string]string{}
	for _, f := range []string{"kustomization.yaml", "generator.yaml", "namespace.yaml"} {
		b, err := os.ReadFile(filepath.Join("../../examples/kustomize", f))
		if err != nil {
			t.Fatal(err)
		}
		kustomizeExample[f] = string(b)
	}
	const configMap = "# the team's settings\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: billing}\ndata:\n  mode: fast # kept as written\n"

	cases := []struct {
		name  string
		app   string            // the application's path in the repository
		files map[string]string // repository files, relative to its root
		env   []string          // the Application's env and parameters
		// claim is whether discover must print something.
		claim bool
		// wantArgs renders the expected stream in-process (nil: generate
		// must fail); wantErr is then a regexp-free substring of stderr.
		wantArgs []string
		wantIn   []string
		wantErr  string
	}{
		{
			name:     "fleet directory",
			app:      "apps/billing",
			files:    map[string]string{"apps/billing/fleet.yaml": fleet("billing", "")},
			claim:    true,
			wantArgs: []string{"render", "fleet.yaml"},
			wantIn:   []string{"kind: WorkloadGroup", "app.kubernetes.io/managed-by: meshfleet"},
		},
		{
			name: "kustomization with a VMFleet generator",
			app:  "apps/inventory",
			files: map[string]string{
				"apps/inventory/kustomization.yaml": kustomizeExample["kustomization.yaml"],
				"apps/inventory/generator.yaml":     kustomizeExample["generator.yaml"],
				"apps/inventory/namespace.yaml":     kustomizeExample["namespace.yaml"],
			},
			claim:    true,
			wantArgs: []string{"render", "."},
			wantIn:   []string{"kind: WorkloadGroup", "kind: Namespace", "team: inventory"},
		},
		{
			name: "overlay reaching a base with a VMFleet generator",
			app:  "envs/prod",
			files: map[string]string{
				"envs/prod/kustomization.yaml": "resources: [../../base]\nnamePrefix: prod-\n",
				"base/kustomization.yaml":      "generators: [fleet.yaml]\n",
				"base/fleet.yaml":              fleet("billing", ""),
			},
			claim:    true,
			wantArgs: []string{"render", "."},
			wantIn:   []string{"name: prod-billing"},
		},
		{
			name: "nested fleets",
			app:  "apps/shop",
			files: map[string]string{
				"apps/shop/cart/fleet.yaml":        fleet("cart", ""),
				"apps/shop/payments/v1/fleet.yaml": fleet("payments", ""),
				"apps/shop/.archive/old.yaml":      fleet("old", ""),
			},
			claim:    true,
			wantArgs: []string{"render", "cart", "payments"},
			wantIn:   []string{"name: cart", "name: payments"},
		},
		{
			name: "fleets only in a nested kustomization",
			app:  "apps/platform",
			files: map[string]string{
				"apps/platform/README.md":                  "the fleet lives in billing/\n",
				"apps/platform/billing/kustomization.yaml": "generators: [fleet.yaml]\n",
				"apps/platform/billing/fleet.yaml":         fleet("billing", ""),
			},
			claim:   false,
			wantErr: "nothing rendered",
		},
		{
			name:    "empty directory",
			app:     "apps/empty",
			files:   map[string]string{"apps/empty/.keep": ""},
			claim:   false,
			wantErr: "nothing rendered",
		},
		{
			name:    "plain kustomization",
			app:     "apps/plain",
			files:   map[string]string{"apps/plain/kustomization.yaml": "resources: [cm.yaml]\n", "apps/plain/cm.yaml": configMap},
			claim:   false,
			wantErr: "", // generate is never asked for an unclaimed app; see below
		},
		{
			name:    "broken fleet",
			app:     "apps/broken",
			files:   map[string]string{"apps/broken/fleet.yaml": fleet("broken", "  probe: {tcpSocket: {port: grpc}}\n")},
			claim:   true,
			wantErr: "fleet.yaml:9:",
		},
		{
			name: "plain manifests beside a fleet",
			app:  "apps/billing",
			files: map[string]string{
				"apps/billing/fleet.yaml":    fleet("billing", ""),
				"apps/billing/settings.yaml": configMap,
				"apps/billing/values.yaml":   "replicas: 3\n",
			},
			claim:    true,
			wantArgs: []string{"render", "--passthrough", "."},
			wantIn:   []string{configMap, "kind: WorkloadGroup"},
		},
		{
			name:     "istio-version parameter",
			app:      "apps/billing",
			files:    map[string]string{"apps/billing/fleet.yaml": fleet("billing", "")},
			env:      []string{"PARAM_ISTIO_VERSION=1.20"},
			claim:    true,
			wantArgs: []string{"render", "--istio-version", "1.20", "."},
			wantIn:   []string{"networking.istio.io/v1beta1"},
		},
		{
			name:    "hostile istio-version from the Application env",
			app:     "apps/billing",
			files:   map[string]string{"apps/billing/fleet.yaml": fleet("billing", "")},
			env:     []string{"ARGOCD_ENV_MESHFLEET_ISTIO_VERSION=1.22 --allow-empty; rm -rf /"},
			claim:   true,
			wantErr: "is not an Istio version",
		},
		{
			name: "lint gate raised by the Application",
			app:  "apps/billing",
			files: map[string]string{
				"apps/billing/fleet.yaml": fleet("billing", ""),
				"apps/billing/dr.yaml":    "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: canary, namespace: billing}\nspec:\n  host: billing\n  subsets:\n    - {name: next, labels: {version: v2}}\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: canary, namespace: billing}\nspec:\n  hosts: [billing]\n  http:\n    - route:\n        - destination: {host: billing, subset: next}\n",
			},
			env:     []string{"ARGOCD_ENV_MESHFLEET_LINT_FAIL_ON=error"},
			claim:   true,
			wantErr: "error MF301",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			repo := filepath.Join(t.TempDir(), "repo")
			for name, body := range tc.files {
				p := filepath.Join(repo, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			appDir := filepath.Join(repo, filepath.FromSlash(tc.app))

			d := run(t, discover, appDir, tc.app, tc.env)
			if d.code != 0 {
				t.Fatalf("discover exited %d (Argo CD logs that as an error):\n%s", d.code, d.stderr)
			}
			if got := d.stdout != ""; got != tc.claim {
				t.Fatalf("discover claimed the app: %v, want %v\nstdout:\n%s\nstderr:\n%s", got, tc.claim, d.stdout, d.stderr)
			}
			if !tc.claim && tc.wantErr == "" {
				return
			}

			g := run(t, generate, appDir, tc.app, tc.env)
			if tc.wantArgs == nil {
				if g.code == 0 {
					t.Fatalf("generate succeeded, want a failure; stdout:\n%s", g.stdout)
				}
				if g.stdout != "" {
					t.Errorf("a failed generate wrote to stdout:\n%s", g.stdout)
				}
				if !strings.Contains(g.stderr, tc.wantErr) {
					t.Errorf("generate's stderr lacks %q:\n%s", tc.wantErr, g.stderr)
				}
				return
			}
			if g.code != 0 {
				t.Fatalf("generate exited %d:\n%s", g.code, g.stderr)
			}
			want := renderIn(t, appDir, tc.app, tc.wantArgs)
			if diff := cmp.Diff(want, g.stdout); diff != "" {
				t.Errorf("generate's stream differs from %q (-want +got):\n%s", strings.Join(tc.wantArgs, " "), diff)
			}
			for _, s := range tc.wantIn {
				if !strings.Contains(g.stdout, s) {
					t.Errorf("generate's stream lacks %q:\n%s", s, g.stdout)
				}
			}
		})
	}
}

// sidecarPath is a PATH directory holding only what the sidecar image
// holds: meshfleet (this test binary, which TestMain runs as meshfleet when
// so named) and the busybox applets.
func sidecarPath(t *testing.T, busybox string) string {
	t.Helper()
	bin := meshfleetBin(t)
	out, err := exec.Command(busybox, "--list").Output()
	if err != nil {
		t.Fatalf("busybox --list: %v", err)
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "meshfleet" || strings.Contains(applet, "/") {
			continue
		}
		if err := os.Symlink(busybox, filepath.Join(bin, applet)); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

// renderIn runs meshfleet in-process in dir, as the sidecar sees it, for
// the stream generate must print.
func renderIn(t *testing.T, dir, appPath string, args []string) string {
	t.Helper()
	t.Setenv("ARGOCD_APP_SOURCE_PATH", appPath)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var stdout, stderr bytes.Buffer
	if code := Main(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("meshfleet %s exited %d:\n%s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.String()
}
