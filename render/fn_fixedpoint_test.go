package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// fnRun runs Fn on in and fails the test on any error or result.
func fnRun(t *testing.T, in []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	results, err := Fn(bytes.NewReader(in), &out, Options{})
	if err != nil || len(results) > 0 {
		t.Fatalf("Fn: %v %v\ninput:\n%s", err, results, in)
	}
	return out.Bytes()
}

// fnItems is the items of a ResourceList as plain values, without the
// annotations the host (or kyaml's reader) adds to say where an item came
// from.
func fnItems(t *testing.T, rl []byte) []any {
	t.Helper()
	docs, err := manifest.Parse("rl", rl, manifest.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := manifest.Value(docs[0].Node).(map[string]any)["items"].([]any)
	for _, it := range items {
		md, _ := it.(map[string]any)["metadata"].(map[string]any)
		ann, _ := md["annotations"].(map[string]any)
		for k := range ann {
			if IsHostAnnotation(k) {
				delete(ann, k)
			}
		}
	}
	return items
}

// TestFnFixedPoint pins DESIGN §3: the function run on its own output (kpt
// fn render, kpt fn eval, a second kustomize pass) changes nothing. The
// fleets stay, marked local-config, and what they rendered is replaced,
// never duplicated; what another fleet rendered is left alone.
func TestFnFixedPoint(t *testing.T) {
	other := "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: gone\n  namespace: shop\n  labels: {app.kubernetes.io/managed-by: meshfleet}\n  annotations: {meshfleet.dev/fleet: shop/gone}\n"
	in := fnInput([]string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {colour: blue}\n",
		fnFleetDoc("cart", "shop", "  annotations:\n    internal.config.kubernetes.io/path: fleets/cart.yaml\n"),
		fnFleetDoc("till", "shop", ""),
		other,
	}, "")
	out1 := fnRun(t, []byte(in))
	out2 := fnRun(t, out1)
	out3 := fnRun(t, out2)
	if diff := cmp.Diff(string(out2), string(out3)); diff != "" {
		t.Errorf("third run differs from the second (-2 +3):\n%s", diff)
	}
	// The first run's output lacks only the index annotations kyaml's
	// reader adds to every item of the next.
	if diff := cmp.Diff(fnItems(t, out1), fnItems(t, out2)); diff != "" {
		t.Errorf("second run changed the items (-1 +2):\n%s", diff)
	}
	for kind, want := range map[string]int{"VMFleet": 2, "WorkloadGroup": 2, "WorkloadEntry": 2, "ServiceAccount": 3, "ConfigMap": 1} {
		if got := countKindLines(t, out3, kind); got != want {
			t.Errorf("%d %s items after three runs, want %d:\n%s", got, kind, want, out3)
		}
	}
	for _, it := range fnItems(t, out3) {
		obj := it.(map[string]any)
		if obj["kind"] != Kind {
			continue
		}
		ann, _ := obj["metadata"].(map[string]any)["annotations"].(map[string]any)
		if ann[LocalConfigAnnotation] != "true" {
			t.Errorf("VMFleet %v not marked local-config: %v", obj["metadata"], ann)
		}
	}

	// A fleet that no longer renders an object drops it: the VM moved.
	moved := strings.Replace(string(out3), "address: 10.0.0.5\n", "address: 10.0.0.9\n", 2)
	out4 := fnRun(t, []byte(moved))
	if strings.Contains(string(out4), "10-0-0-5") || countKindLines(t, out4, "WorkloadEntry") != 2 {
		t.Errorf("stale WorkloadEntries kept:\n%s", out4)
	}
}

// TestFnFixedPointGenerator: kustomize's exec generator sends the fleet as
// functionConfig and item; run again on its output, nothing is added.
func TestFnFixedPointGenerator(t *testing.T) {
	gen := fnFleetDoc("cart", "shop", "")
	out1 := fnRun(t, []byte(fnInput([]string{gen}, gen)))
	out2 := fnRun(t, out1)
	out3 := fnRun(t, out2)
	if diff := cmp.Diff(string(out2), string(out3)); diff != "" {
		t.Errorf("third run differs from the second (-2 +3):\n%s", diff)
	}
	if got := countKindLines(t, out3, "WorkloadGroup"); got != 1 {
		t.Errorf("%d WorkloadGroups, want 1:\n%s", got, out3)
	}
}

// TestFnKeepsFileOfReplaced: a rendered object the user moved to a file of
// their own is written back there, so kpt does not move it again.
func TestFnKeepsFileOfReplaced(t *testing.T) {
	out1 := fnRun(t, []byte(fnInput([]string{fnFleetDoc("cart", "shop", "")}, "")))
	moved := strings.Replace(string(out1), "kind: WorkloadGroup\n  metadata:\n    annotations:\n", "kind: WorkloadGroup\n  metadata:\n    annotations:\n      internal.config.kubernetes.io/path: mesh/all.yaml\n", 1)
	out2 := fnRun(t, []byte(moved))
	if n := strings.Count(string(out2), "internal.config.kubernetes.io/path: 'mesh/all.yaml'") + strings.Count(string(out2), "internal.config.kubernetes.io/path: mesh/all.yaml"); n != 1 {
		t.Errorf("the WorkloadGroup lost its file (%d):\n%s", n, out2)
	}
}
