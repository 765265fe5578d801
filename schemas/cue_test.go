package schemas

import (
	"os"
	"path/filepath"
	"testing"

	"cuelang.org/go/cue/cuecontext"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// TestCUEAgrees evaluates every golden document against its CUE definition
// and requires the verdict of the exported JSON Schema: valid for both, or
// invalid for both. It catches a constraint the export drops (as
// jsonschema.Generate drops struct.MinFields) or one the post-processing
// adds that the CUE lacks.
func TestCUEAgrees(t *testing.T) {
	ctx := cuecontext.New()
	defs := cueDefinitions(t, ctx)
	inputs, _ := filepath.Glob("testdata/*/input.yaml")
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := manifest.Parse(in, data, manifest.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			obj := manifest.Value(d.Node).(map[string]any)
			apiVersion, _ := obj["apiVersion"].(string)
			kind, _ := obj["kind"].(string)
			def, ok := defs[apiVersion+" "+kind]
			if !ok {
				t.Fatalf("%s: no CUE definition for %s %s", in, apiVersion, kind)
			}
			cueErr := def.Unify(ctx.Encode(obj)).Validate()
			ps := Validate(apiVersion, kind, obj)
			if (cueErr == nil) != (len(ps) == 0) {
				t.Errorf("%s document %d (%s): CUE says %v; JSON Schema says %v", in, d.Index, kind, cueErr, ps)
			}
		}
	}
}
