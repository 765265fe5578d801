package schemas

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// kubeconformSchemas turns the embedded JSON Schemas into the files
// kubeconform reads for the same kinds, so the peer benchmark (make
// bench-peers) checks exactly what meshfleet checks: one self-contained
// file per kind at <group>/<version>/<kind in lower case>.json ("core" for
// the core group), the Kubernetes bundle's definitions inlined, since
// kubeconform compiles each file on its own. kubeconform then runs with
//
//	-schema-location 'DIR/core/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json'
//	-schema-location 'DIR/{{ .Group }}/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json'
func kubeconformSchemas() (map[string][]byte, error) {
	bundleData, err := files.ReadFile("jsonschema/bundle/k8s.json")
	if err != nil {
		return nil, err
	}
	var bundle map[string]any
	if err := json.Unmarshal(bundleData, &bundle); err != nil {
		return nil, err
	}
	bundleDefs, _ := bundle["$defs"].(map[string]any)
	out := map[string][]byte{}
	err = fs.WalkDir(files, "jsonschema", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "jsonschema/bundle/") {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			return err
		}
		if bytes.Contains(data, []byte("bundle/k8s.json#")) {
			defs, _ := doc["$defs"].(map[string]any)
			if defs == nil {
				defs = map[string]any{}
			}
			for k, v := range bundleDefs {
				if _, clash := defs[k]; clash {
					return &fs.PathError{Op: "inline", Path: p, Err: fs.ErrExist}
				}
				defs[k] = v
			}
			doc["$defs"] = defs
			doc = rewriteRefs(doc).(map[string]any)
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "jsonschema/")
		out[path.Join(path.Dir(rel), strings.ToLower(path.Base(rel)))] = b
		return nil
	})
	return out, err
}

// rewriteRefs points references into the bundle at the inlined copies.
func rewriteRefs(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if s, ok := e.(string); ok && k == "$ref" {
				if i := strings.Index(s, "bundle/k8s.json#"); i >= 0 {
					t[k] = s[i+len("bundle/k8s.json"):]
				}
				continue
			}
			t[k] = rewriteRefs(e)
		}
	case []any:
		for i, e := range t {
			t[i] = rewriteRefs(e)
		}
	}
	return v
}

// TestKubeconformSchemas holds the conversion: every file compiles on its
// own (no reference leaves it) and judges a resource as Validate does.
func TestKubeconformSchemas(t *testing.T) {
	out, err := kubeconformSchemas()
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(Kinds())-1 { // all but the VMFleet
		t.Errorf("%d kubeconform schemas for %d kinds besides VMFleet", len(out), len(Kinds())-1)
	}
	compile := func(name string) *jsonschema.Schema {
		t.Helper()
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out[name]))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("file:///"+name, doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile("file:///" + name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return s
	}
	for name := range out {
		compile(name)
	}
	svc := compile("core/v1/service.json")
	good := map[string]any{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "cart"},
		"spec": map[string]any{"ports": []any{map[string]any{"port": json.Number("80")}}}}
	bad := map[string]any{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "cart"},
		"spec": map[string]any{"portz": []any{}}}
	for _, c := range []struct {
		obj  map[string]any
		want bool
	}{{good, true}, {bad, false}} {
		var v any
		b, _ := json.Marshal(c.obj)
		v, _ = jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if got := svc.Validate(v) == nil; got != c.want {
			t.Errorf("kubeconform schema says valid=%v for %v, want %v", got, c.obj, c.want)
		}
		if got := len(Validate("v1", "Service", c.obj)) == 0; got != c.want {
			t.Errorf("Validate says valid=%v for %v, want %v", got, c.obj, c.want)
		}
	}
}

// TestWriteKubeconformSchemas writes the files into the directory named by
// MESHFLEET_KUBECONFORM_SCHEMAS (make bench-peers); skipped otherwise.
func TestWriteKubeconformSchemas(t *testing.T) {
	dir := os.Getenv("MESHFLEET_KUBECONFORM_SCHEMAS")
	if dir == "" {
		t.Skip("MESHFLEET_KUBECONFORM_SCHEMAS not set")
	}
	out, err := kubeconformSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range out {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
