package cli

import (
	"bytes"
	"testing"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// TestExampleKustomization builds examples/kustomize the way a user does,
// in-process with meshfleet as the exec generator (the test binary answers to
// "meshfleet", see TestMain), and checks it renders what the fleet file
// renders on its own, plus the kustomization's namespace and label.
func TestExampleKustomization(t *testing.T) {
	const dir = "../../examples/kustomize"
	build := renderOK(t, "render", dir)
	if again := renderOK(t, "render", dir); !bytes.Equal(build, again) {
		t.Fatal("two builds of the example differ")
	}
	plain := renderOK(t, "render", dir+"/generator.yaml")

	built := objectsByID(t, build)
	for id := range objectsByID(t, plain) {
		obj, ok := built[id]
		if !ok {
			t.Errorf("build lacks %s, which the fleet renders", id)
			continue
		}
		labels, _ := obj["metadata"].(map[string]any)["labels"].(map[string]any)
		if labels["team"] != "inventory" || labels["app.kubernetes.io/managed-by"] != "meshfleet" {
			t.Errorf("%s labels %v, want team=inventory and managed-by=meshfleet", id, labels)
		}
		delete(built, id)
	}
	if len(built) != 1 || built["Namespace /inventory"] == nil {
		t.Errorf("build holds %v beside the fleet's resources, want only Namespace inventory", keysOf(built))
	}
}

func renderOK(t *testing.T, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Main(args, nil, &stdout, &stderr); code != ExitOK {
		t.Fatalf("meshfleet %v: exit %d\n%s", args, code, stderr.Bytes())
	}
	return stdout.Bytes()
}

func objectsByID(t *testing.T, data []byte) map[string]map[string]any {
	t.Helper()
	docs, err := manifest.Parse("output", data, manifest.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	objs := map[string]map[string]any{}
	for _, d := range docs {
		obj := manifest.Value(d.Node).(map[string]any)
		meta := obj["metadata"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		objs[obj["kind"].(string)+" "+ns+"/"+meta["name"].(string)] = obj
	}
	if len(objs) == 0 {
		t.Fatal("no objects rendered")
	}
	return objs
}

func keysOf(m map[string]map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
