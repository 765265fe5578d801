package render

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// Golden cases live in fixtures/render/<case>/ (see the README there):
// input.yaml (and any input-*.yaml) rendered together, compared with
// want.yaml, or with errors.txt (one error per line) when rendering must
// fail. An optional options.yaml sets Options (istioVersion).
// UPDATE_GOLDEN=1 rewrites the expected files.

const fixturesDir = "../fixtures/render"

var update = os.Getenv("UPDATE_GOLDEN") != ""

// caseOptions is the shape of options.yaml.
type caseOptions struct {
	IstioVersion string `yaml:"istioVersion"`
}

// renderFiles runs what `meshfleet render` runs on files: parse, decode every
// VMFleet, render the valid ones, and collect every error in order.
func renderFiles(t testing.TB, files map[string][]byte, opts Options) ([]byte, []string) {
	t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var fleets []*Fleet
	var errs []*manifest.Error
	for _, name := range names {
		docs, err := manifest.Parse(name, files[name], manifest.DefaultLimits)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		for _, doc := range docs {
			if !IsFleet(doc.Node) {
				continue
			}
			f, derrs := Decode(doc)
			errs = append(errs, derrs...)
			if f != nil {
				fleets = append(fleets, f)
			}
		}
	}
	rs, rerrs := Render(fleets, opts)
	errs = append(errs, rerrs...)
	if len(errs) > 0 {
		lines := make([]string, len(errs))
		for i, e := range errs {
			lines[i] = e.Error()
		}
		return nil, lines
	}
	return Marshal(rs), nil
}

func readCase(t *testing.T, dir string) (map[string][]byte, Options) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	var opts Options
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == "options.yaml":
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			var o caseOptions
			if err := yaml.Unmarshal(data, &o); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			opts.IstioVersion = o.IstioVersion
		case name == "input.yaml" || strings.HasPrefix(name, "input-") && strings.HasSuffix(name, ".yaml"):
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			files[name] = data
		}
	}
	if files["input.yaml"] == nil {
		t.Fatalf("%s: no input.yaml", dir)
	}
	return files, opts
}

func TestGolden(t *testing.T) {
	entries, err := os.ReadDir(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "examples" {
			continue
		}
		cases++
		dir := filepath.Join(fixturesDir, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			files, opts := readCase(t, dir)
			out, errs := renderFiles(t, files, opts)
			if errs == nil && len(out) == 0 {
				t.Fatal("no VMFleet rendered: a case needs at least one")
			}
			wantFile, errFile := filepath.Join(dir, "want.yaml"), filepath.Join(dir, "errors.txt")
			if update {
				if errs != nil {
					writeGolden(t, errFile, []byte(strings.Join(errs, "\n")+"\n"))
					os.Remove(wantFile)
				} else {
					writeGolden(t, wantFile, out)
					os.Remove(errFile)
				}
				return
			}
			if want, err := os.ReadFile(errFile); err == nil {
				if errs == nil {
					t.Fatalf("rendered without error, want the errors of errors.txt:\n%s", out)
				}
				if diff := cmp.Diff(strings.Split(strings.TrimRight(string(want), "\n"), "\n"), errs); diff != "" {
					t.Errorf("errors (-want +got):\n%s", diff)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("no want.yaml or errors.txt (UPDATE_GOLDEN=1 writes one): %v", err)
			}
			if errs != nil {
				t.Fatalf("render failed:\n%s", strings.Join(errs, "\n"))
			}
			if diff := cmp.Diff(string(want), string(out)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
	if cases == 0 {
		t.Fatalf("no golden cases under %s", fixturesDir)
	}
}

// TestExamples renders every examples/<scenario>/fleet.yaml against its
// golden output in fixtures/render/examples/<scenario>.yaml (kept outside
// examples/ so linting examples/ does not see the objects twice), and all of
// them in one run, which must not render any object twice.
func TestExamples(t *testing.T) {
	paths, err := filepath.Glob("../examples/*/fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no examples/*/fleet.yaml")
	}
	all := map[string][]byte{}
	for _, p := range paths {
		scenario := filepath.Base(filepath.Dir(p))
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := "examples/" + scenario + "/fleet.yaml"
		all[name] = data
		t.Run(scenario, func(t *testing.T) {
			out, errs := renderFiles(t, map[string][]byte{name: data}, Options{})
			if errs != nil {
				t.Fatalf("render failed:\n%s", strings.Join(errs, "\n"))
			}
			golden := filepath.Join(fixturesDir, "examples", scenario+".yaml")
			if update {
				writeGolden(t, golden, out)
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (UPDATE_GOLDEN=1 writes it)", err)
			}
			if diff := cmp.Diff(string(want), string(out)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
	if _, errs := renderFiles(t, all, Options{}); errs != nil {
		t.Errorf("examples rendered together:\n%s", strings.Join(errs, "\n"))
	}
}

func writeGolden(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
