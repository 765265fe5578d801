package render

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// TestFluxOverRenderedDir runs what Flux's kustomize-controller does with a
// rendered-manifests path that has no kustomization: it generates one
// listing every manifest below the path (as `kustomize create --autodetect
// --recursive` does) and builds it. The objects Flux would apply must be
// exactly the ones render wrote with -o, and a later render -o --prune
// must leave the generated kustomization alone.
func TestFluxOverRenderedDir(t *testing.T) {
	fleets := decodeAll(t, map[string][]byte{"fleets.yaml": genFleets(12)})
	rs, errs := Render(fleets, Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	files, lerrs := Layout(rs)
	if len(lerrs) > 0 {
		t.Fatal(lerrs)
	}
	repo := repoDir(t)
	out := filepath.Join(repo, "rendered")
	if _, _, err := WriteDir(out, files, true); err != nil {
		t.Fatal(err)
	}
	var listed []string
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			rel, _ := filepath.Rel(out, p)
			listed = append(listed, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(listed)
	kust := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
	for _, p := range listed {
		kust += "- " + p + "\n"
	}
	if err := os.WriteFile(filepath.Join(out, "kustomization.yaml"), []byte(kust), 0o644); err != nil {
		t.Fatal(err)
	}
	built, err := BuildKustomization(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := objectKeys(t, built), objectKeys(t, Marshal(rs)); !cmp.Equal(got, want) {
		t.Errorf("Flux would apply other objects than render wrote (-want +got):\n%s", cmp.Diff(want, got))
	}
	// Re-render with one fleet fewer and --prune: the fleet's files go,
	// the kustomization Flux reads stays.
	rs2, _ := Render(fleets[1:], Options{})
	files2, _ := Layout(rs2)
	if _, removed, err := WriteDir(out, files2, true); err != nil || len(removed) == 0 {
		t.Fatalf("prune removed %v, %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(out, "kustomization.yaml")); err != nil {
		t.Errorf("prune touched the kustomization: %v", err)
	}
}

// objectKeys lists kind namespace/name of every object of a YAML stream,
// sorted, with the object's canonical bytes, so two streams compare by
// content whatever their order.
func objectKeys(t *testing.T, stream []byte) []string {
	t.Helper()
	docs, err := manifest.Parse("stream", stream, manifest.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		obj, _ := manifest.Value(d.Node).(map[string]any)
		out = append(out, string(Marshal([]*Resource{{Object: obj}})))
	}
	sort.Strings(out)
	return out
}
