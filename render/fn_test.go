package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

func fnInput(items []string, functionConfig string) string {
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, it := range items {
		b.WriteString(indentItem(it))
	}
	if functionConfig != "" {
		b.WriteString("functionConfig:\n")
		for _, l := range strings.SplitAfter(strings.TrimRight(functionConfig, "\n")+"\n", "\n") {
			if l != "" {
				b.WriteString("  " + l)
			}
		}
	}
	return b.String()
}

func indentItem(doc string) string {
	var b strings.Builder
	for i, l := range strings.SplitAfter(strings.TrimRight(doc, "\n")+"\n", "\n") {
		switch {
		case l == "":
		case i == 0:
			b.WriteString("- " + l)
		default:
			b.WriteString("  " + l)
		}
	}
	return b.String()
}

func fnFleetDoc(name, ns, extraMeta string) string {
	return fmt.Sprintf("apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata:\n  name: %s\n  namespace: %s\n%sspec:\n  ports:\n  - {name: http, port: 8080}\n  vms:\n  - address: 10.0.0.5\n", name, ns, extraMeta)
}

// countKind counts the items of kind in a ResourceList, however kyaml
// indents them.
func countKindLines(t *testing.T, out []byte, kind string) int {
	t.Helper()
	n := 0
	for _, l := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- ")) == "kind: "+kind {
			n++
		}
	}
	return n
}

func TestFnRendersEachFleetOnce(t *testing.T) {
	gen := fnFleetDoc("cart", "shop", "  annotations:\n    config.kubernetes.io/local-config: 'true'\n    config.kubernetes.io/function: |\n      exec:\n        path: meshfleet\n")
	for _, tc := range []struct {
		name           string
		items          []string
		functionConfig string
		groups, fleets int
	}{
		{"items only", []string{fnFleetDoc("cart", "shop", ""), fnFleetDoc("till", "shop", "")}, "", 2, 2},
		{"generator: functionConfig is the only item", []string{gen}, gen, 1, 2},
		{"transformer: functionConfig not among items", []string{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"}, fnFleetDoc("cart", "shop", ""), 1, 1},
		{"functionConfig not a fleet", []string{fnFleetDoc("cart", "shop", "")}, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			results, err := Fn(strings.NewReader(fnInput(tc.items, tc.functionConfig)), &out, Options{})
			if err != nil || results.ExitCode() != 0 {
				t.Fatalf("Fn: %v %v", err, results)
			}
			if got := countKindLines(t, out.Bytes(), "WorkloadGroup"); got != tc.groups {
				t.Errorf("%d WorkloadGroups, want %d:\n%s", got, tc.groups, out.Bytes())
			}
			// VMFleet items stay (local-config), beside the echoed
			// functionConfig; a functionConfig is not made an item.
			if got := countKindLines(t, out.Bytes(), "VMFleet"); got != tc.fleets {
				t.Errorf("%d VMFleets in the output, want %d:\n%s", got, tc.fleets, out.Bytes())
			}
		})
	}
}

// TestFnRendersWhatRenderRenders pins DESIGN §2: the function's output
// carries nothing of how the fleet arrived (kustomize's annotations), so its
// items are render's resources, value for value.
func TestFnRendersWhatRenderRenders(t *testing.T) {
	doc := fnFleetDoc("cart", "shop", "")
	annotated := fnFleetDoc("cart", "shop", "  annotations:\n    config.kubernetes.io/index: '0'\n    internal.config.kubernetes.io/path: apps/cart.yaml\n    config.k8s.io/id: '1'\n")
	var out bytes.Buffer
	if _, err := Fn(strings.NewReader(fnInput([]string{annotated}, "")), &out, Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := manifest.Parse("out", out.Bytes(), manifest.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var items []any
	for _, it := range manifest.Value(got[0].Node).(map[string]any)["items"].([]any) {
		if it.(map[string]any)["kind"] != Kind {
			items = append(items, it)
		}
	}

	docs, err := manifest.Parse("cart.yaml", []byte(doc), manifest.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	f, errs := Decode(docs[0])
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, errs := Render([]*Fleet{f}, Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var want []any
	for _, r := range rs {
		want = append(want, r.Object)
	}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("fn items differ from render (-render +fn):\n%s", diff)
	}
}

func TestFnResults(t *testing.T) {
	bad := strings.Replace(fnFleetDoc("cart", "shop", "  annotations:\n    internal.config.kubernetes.io/path: apps/cart.yaml\n    internal.config.kubernetes.io/index: '2'\n"), "10.0.0.5", "cart.example.com", 1)
	var out bytes.Buffer
	results, err := Fn(strings.NewReader(fnInput([]string{bad}, "")), &out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if results.ExitCode() != 1 || len(results) != 1 {
		t.Fatalf("results %v, want one error", results)
	}
	r := results[0]
	if r.Severity != framework.Error || r.Field == nil || r.Field.Path != "spec.vms[0].address" ||
		r.File == nil || r.File.Path != "apps/cart.yaml" || r.File.Index != 2 ||
		r.ResourceRef == nil || r.ResourceRef.Name != "cart" || r.ResourceRef.Namespace != "shop" {
		t.Errorf("result %+v lacks severity, field, file or resourceRef", r)
	}
	// kpt and kustomize show the message, not the result's file.
	if want := "apps/cart.yaml: spec.vms[0].address: "; !strings.HasPrefix(r.Message, want) {
		t.Errorf("message %q does not start with %q", r.Message, want)
	}
	if !bytes.Contains(out.Bytes(), []byte("results:")) {
		t.Errorf("output lacks results:\n%s", out.Bytes())
	}
}

// TestFnResultsKustomizeOrigin: kustomize names a resource's file in its
// origin annotation only.
func TestFnResultsKustomizeOrigin(t *testing.T) {
	bad := strings.Replace(fnFleetDoc("stock", "inventory", "  annotations:\n    config.kubernetes.io/origin: |\n      path: fleets/stock.yaml\n"), "10.0.0.5", "vm.example.com", 1)
	results, err := Fn(strings.NewReader(fnInput([]string{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"}, bad)), io.Discard, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].File == nil || results[0].File.Path != "fleets/stock.yaml" ||
		!strings.HasPrefix(results[0].Message, "fleets/stock.yaml: spec.vms[0].address: ") {
		t.Errorf("results %v lack the origin's file", results)
	}
}

func BenchmarkFn1000Fleets(b *testing.B) {
	items := make([]string, 1000)
	for i := range items {
		items[i] = strings.Replace(fnFleetDoc(fmt.Sprintf("svc-%d", i), fmt.Sprintf("ns-%d", i%50), ""), "10.0.0.5", fmt.Sprintf("10.%d.%d.1", i/250, i%250), 1)
	}
	in := fnInput(items, "")
	b.ResetTimer()
	for b.Loop() {
		results, err := Fn(strings.NewReader(in), io.Discard, Options{})
		if err != nil || results.ExitCode() != 0 {
			b.Fatal(err, results)
		}
	}
}
