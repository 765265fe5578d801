package schemas

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// TestGolden validates every document of testdata/<case>/input.yaml and
// compares the problems, with the line and column manifest.Find gives their
// paths, to want.txt. UPDATE_GOLDEN=1 rewrites want.txt.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/input.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no golden cases under testdata/")
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := report(t, in, data)
			wantFile := filepath.Join(dir, "want.txt")
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("problems differ (-want +got):\n%s", diff)
			}
			if strings.HasPrefix(filepath.Base(dir), "valid-") {
				// Older apiVersions are valid; Successor only informs.
				for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
					if line != "" && !strings.HasSuffix(line, "[successor]") {
						t.Errorf("a valid-* case must have no problems, got: %s", line)
					}
				}
			}
		})
	}
}

// report renders the problems of every document in data as the lines of a
// want.txt: file:line:col: kind name: path: message [problem kind].
func report(t *testing.T, file string, data []byte) string {
	t.Helper()
	docs, err := manifest.Parse(filepath.Base(file), data, manifest.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, d := range docs {
		obj, _ := manifest.Value(d.Node).(map[string]any)
		apiVersion, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		if !Known(apiVersion, kind) {
			t.Fatalf("%s document %d: no schema for %s %s", file, d.Index, apiVersion, kind)
		}
		meta, _ := obj["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		for _, p := range Validate(apiVersion, kind, obj) {
			n, _ := manifest.Find(d.Node, p.Path)
			fmt.Fprintf(&b, "%s:%d:%d: %s %s: %s [%s]\n", d.File, n.Line, n.Column, kind, name, p, p.Kind)
		}
		if err := ValidName(kind, name); err != nil && name != "" {
			fmt.Fprintf(&b, "%s: %s %s: %v [name]\n", d.File, kind, name, err)
		}
		if v, since, ok := Successor(apiVersion, kind); ok {
			fmt.Fprintf(&b, "%s: %s %s: %s is served as %s since Istio %s [successor]\n", d.File, kind, name, apiVersion, v, since)
		}
	}
	return b.String()
}

// TestAllSchemasCompile compiles every embedded schema, so a bad export
// fails here rather than in a user's lint run.
func TestAllSchemasCompile(t *testing.T) {
	for k, f := range registry {
		// A store of its own at a URL outside json-schema.org, so the
		// metaschema check runs on every file, shared bundle included.
		s := newStore(baseURL)
		if _, err := s.compile(f.name); err != nil {
			t.Errorf("%s %s: %v", k.apiVersion, k.kind, err)
		}
	}
	if len(registry) < 30 {
		t.Errorf("only %d kinds registered", len(registry))
	}
}

func TestKnown(t *testing.T) {
	for _, k := range []string{"v1 Service", "apps/v1 Deployment", "batch/v1 CronJob", "networking.istio.io/v1alpha3 VirtualService", "security.istio.io/v1 AuthorizationPolicy", "telemetry.istio.io/v1alpha1 Telemetry", "meshfleet.dev/v1alpha1 VMFleet"} {
		av, kind, _ := strings.Cut(k, " ")
		if !Known(av, kind) {
			t.Errorf("Known(%q, %q) = false", av, kind)
		}
	}
	if Known("networking.istio.io/v1", "EnvoyFilter") {
		t.Error("EnvoyFilter has no schema here")
	}
	if got := Validate("example.com/v1", "Widget", map[string]any{"spec": 1}); got != nil {
		t.Errorf("unknown kind: got %v", got)
	}
}

func TestValidName(t *testing.T) {
	for _, c := range []struct {
		kind, name string
		ok         bool
	}{
		{"Service", "cart", true},
		{"Service", "1cart", false},
		{"Deployment", "1cart", true},
		{"Deployment", "cart.v1", true},
		{"Namespace", "cart.v1", false},
		{"VirtualService", "Cart", false},
		{"CronJob", strings.Repeat("a", 53), false},
		{"ServiceAccount", strings.Repeat("a", 253), true},
		{"VMFleet", "payments_vm", false},
		{"Pod", "", false},
	} {
		err := ValidName(c.kind, c.name)
		if (err == nil) != c.ok {
			t.Errorf("ValidName(%q, %q) = %v, want ok=%v", c.kind, c.name, err, c.ok)
		}
	}
}

func TestSuccessor(t *testing.T) {
	v, since, ok := Successor("networking.istio.io/v1beta1", "VirtualService")
	if !ok || v != "networking.istio.io/v1" || since != "1.22" {
		t.Errorf("VirtualService v1beta1: %q %q %v", v, since, ok)
	}
	if _, _, ok := Successor("networking.istio.io/v1", "VirtualService"); ok {
		t.Error("v1 has no successor")
	}
	for k, s := range successors {
		if !Known(k.apiVersion, k.kind) || !Known(s.apiVersion, k.kind) {
			t.Errorf("successor table names a kind without schema: %v -> %v", k, s)
		}
	}
}

func TestFleetSchemaFiles(t *testing.T) {
	if !strings.Contains(string(FleetCUE()), "#VMFleet:") {
		t.Error("FleetCUE does not define #VMFleet")
	}
	js := string(FleetJSONSchema())
	for _, want := range []string{`"$schema": "http://json-schema.org/draft-07/schema#"`, `"$id": "https://meshfleet.dev/schemas/vmfleet.schema.json"`} {
		if !strings.Contains(js, want) {
			t.Errorf("vmfleet.schema.json lacks %s", want)
		}
	}
}

func TestFleetFields(t *testing.T) {
	fields := FleetFields()
	for _, want := range []string{
		"metadata.name", "metadata.labels.*", "spec.ports[].port", "spec.ports[].service",
		"spec.probe.tcpSocket.port", "spec.probe.httpGet.headers.*", "spec.vms[].address",
		"spec.allow[].from.serviceAccounts", "spec.traffic.routes[].to.*",
		"spec.traffic.routes[].match.headers.*.exact", "spec.traffic.routes[].match[].uri.prefix",
		"spec.traffic.connectionPool.http.h2UpgradePolicy", "spec.traffic.outlierDetection.maxEjectionPercent",
	} {
		if !contains(fields, want) {
			t.Errorf("FleetFields lacks %s", want)
		}
	}
	for _, f := range fields {
		if strings.Contains(f, "$") {
			t.Errorf("FleetFields leaks a schema keyword: %s", f)
		}
	}
}

// TestExamplesValid validates every resource of the repository's examples
// that has a schema: what users copy must pass.
func TestExamplesValid(t *testing.T) {
	files, _ := filepath.Glob("../examples/*/*.yaml")
	more, _ := filepath.Glob("../examples/*/*/*.yaml")
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("no examples in this tree")
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := manifest.Parse(f, data, manifest.DefaultLimits)
		if err != nil {
			continue // not ours to judge: lint reports unreadable files
		}
		for _, d := range docs {
			obj, _ := manifest.Value(d.Node).(map[string]any)
			apiVersion, _ := obj["apiVersion"].(string)
			kind, _ := obj["kind"].(string)
			if !Known(apiVersion, kind) {
				continue
			}
			checked++
			for _, p := range Validate(apiVersion, kind, obj) {
				n, _ := manifest.Find(d.Node, p.Path)
				t.Errorf("%s:%d:%d: %s: %s", f, n.Line, n.Column, kind, p)
			}
		}
	}
	t.Logf("%d resources checked", checked)
}

// TestPositioned pins the render-time message of DESIGN.md's "done when":
// file:line:col: path: message.
func TestPositioned(t *testing.T) {
	data, err := os.ReadFile("testdata/fleet-probe-typo/input.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := manifest.Parse("fleet.yaml", data, manifest.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	obj := manifest.Value(docs[0].Node).(map[string]any)
	errs := Positioned(docs[0], ValidateFleet(obj))
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{"fleet.yaml:10:5: spec.probe.tcpSockets: unknown field (did you mean tcpSocket?)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
