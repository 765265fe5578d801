package schemas

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/schemas/internal/gen/generate"
)

// TestGeneratedFilesFresh reruns the generator in memory (about two seconds:
// Istio CRD extraction and every JSON Schema export) and fails when a
// committed file differs or a stale one lingers. Run `go generate
// ./schemas/...` to refresh them.
func TestGeneratedFilesFresh(t *testing.T) {
	files, err := generate.All(".")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.FromSlash(name))
		if err != nil {
			t.Errorf("%s: %v (run go generate ./schemas/...)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale (run go generate ./schemas/...)", name)
		}
	}
	for _, root := range []string{"jsonschema", "cue/istio"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if _, ok := files[filepath.ToSlash(p)]; !ok {
				t.Errorf("%s is not generated any more: delete it", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestCueGetGoFresh reruns `cue get go` for the Kubernetes kinds and
// compares its output with cue/cue.mod/gen. It builds the cue command and
// type-checks k8s.io/api (a minute or more on two cores, and the module
// proxy when the cache is cold), so it runs only with MESHFLEET_CUE_GET_GO=1.
func TestCueGetGoFresh(t *testing.T) {
	if os.Getenv("MESHFLEET_CUE_GET_GO") == "" {
		t.Skip("set MESHFLEET_CUE_GET_GO=1 to rerun cue get go")
	}
	// The scratch copy lives inside the module so that cue get go resolves
	// k8s.io/api through our go.mod.
	tmp, err := os.MkdirTemp(".", ".cuegetgo-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "cue", "cue.mod"), 0o755); err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("cue/cue.mod/module.cue")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "cue", "cue.mod", "module.cue"), mod, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if err := generate.CueGetGo(abs); err != nil {
		t.Fatal(err)
	}
	want := readTree(t, filepath.Join(tmp, "cue", "cue.mod", "gen"))
	got := readTree(t, filepath.Join("cue", "cue.mod", "gen"))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cue/cue.mod/gen is stale (run go run ./schemas/internal/gen -dir schemas -k8s):\n%s", diff)
	}
}

func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = strings.TrimSpace(string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
