package render

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/schemas"
)

// TestDecoderFieldsMatchSchema holds render's Go decoder and the VMFleet
// schema to one set of fields: a field added to either alone fails here. The
// decoder's fields are recorded while it decodes every fleet the project
// ships (fixtures and examples), which between them visit every object of
// the API.
func TestDecoderFieldsMatchSchema(t *testing.T) {
	schemaFields := map[string]bool{}
	for _, f := range schemas.FleetFields() {
		schemaFields[f] = true
	}
	var files []string
	for _, g := range []string{"../fixtures/render/*/input*.yaml", "../examples/*/*.yaml"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	goFields := map[string]bool{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := manifest.Parse(file, data, manifest.DefaultLimits)
		if err != nil {
			continue // the guard's own error cases
		}
		for _, doc := range docs {
			if !IsFleet(doc.Node) {
				continue
			}
			fd := &fleetDecode{decoder: decoder{file: file, root: doc.Node, known: map[string]bool{}}}
			fd.decodeFleet()
			for p := range fd.known {
				goFields[schemaPattern(p, schemaFields)] = true
			}
		}
	}
	var onlyGo, onlySchema []string
	for f := range goFields {
		if !schemaFields[f] {
			onlyGo = append(onlyGo, f)
		}
	}
	for f := range schemaFields {
		if !strings.HasSuffix(f, ".*") && !goFields[f] {
			onlySchema = append(onlySchema, f)
		}
	}
	sort.Strings(onlyGo)
	sort.Strings(onlySchema)
	if len(goFields) < 100 {
		t.Fatalf("recorded only %d decoder fields from %d files: the fixtures no longer cover the API", len(goFields), len(files))
	}
	if d := cmp.Diff([]string(nil), onlyGo); d != "" {
		t.Errorf("fields the Go decoder accepts but the schema lacks (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string(nil), onlySchema); d != "" {
		t.Errorf("schema fields the Go decoder lacks, or no shipped fleet reaches (-want +got):\n%s", d)
	}
}

// schemaPattern turns a data path (spec.traffic.routes[0].match.headers.x-canary.exact)
// into the schema's field pattern (spec.traffic.routes[].match.headers.*.exact):
// indices become [] and a key under a map becomes *.
func schemaPattern(path string, schemaFields map[string]bool) string {
	var b strings.Builder
	for _, s := range manifest.SplitPath(path) {
		if s.IsIndex {
			b.WriteString("[]")
			continue
		}
		sep := "."
		if b.Len() == 0 {
			sep = ""
		}
		if lit := b.String() + sep + s.Key; !schemaFields[lit] && schemaFields[b.String()+sep+"*"] {
			b.WriteString(sep + "*")
			continue
		}
		b.WriteString(sep + s.Key)
	}
	return b.String()
}

// TestSchemaOnly: a schema problem where the decoder reported nothing is
// kept; one at, under or above a decoder error is left to the decoder's
// sharper message.
func TestSchemaOnly(t *testing.T) {
	e := func(path string) *manifest.Error { return &manifest.Error{File: "f", Path: path, Msg: path} }
	decoded := []*manifest.Error{e("spec.ports[0].name"), e("spec.probe")}
	schema := []*manifest.Error{e("spec.ports[0].name"), e("spec.ports[0]"), e("spec.probe.httpGet.port"), e("spec.ports[1].name"), e("spec.probes")}
	var got []string
	for _, s := range schemaOnly(schema, decoded) {
		got = append(got, s.Path)
	}
	if d := cmp.Diff([]string{"spec.ports[1].name", "spec.probes"}, got); d != "" {
		t.Errorf("schemaOnly (-want +got):\n%s", d)
	}
}

// TestExamplesCarrySchemaModeline: every shipped VMFleet names the committed
// JSON Schema in a yaml-language-server modeline, so editors that open an
// example validate it as meshfleet does.
func TestExamplesCarrySchemaModeline(t *testing.T) {
	files, err := filepath.Glob("../examples/*/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := manifest.Parse(file, data, manifest.DefaultLimits)
		if err != nil || len(docs) == 0 || !IsFleet(docs[0].Node) {
			continue
		}
		n++
		first, _, _ := strings.Cut(string(data), "\n")
		ref, ok := strings.CutPrefix(first, "# yaml-language-server: $schema=")
		if !ok {
			t.Errorf("%s: first line %q is not a yaml-language-server $schema modeline", file, first)
			continue
		}
		target := filepath.Join(filepath.Dir(file), ref)
		if want := filepath.Clean("../schemas/vmfleet.schema.json"); filepath.Clean(target) != want {
			t.Errorf("%s: modeline points at %s, want the committed %s", file, target, want)
		}
	}
	if n == 0 {
		t.Fatal("no VMFleet examples found")
	}
}
