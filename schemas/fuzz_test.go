package schemas

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// FuzzValidate feeds arbitrary YAML through the input guard and validates
// every document as each kind it claims and as a VMFleet: no input may make
// validation or its explanation panic.
func FuzzValidate(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/input.yaml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: Service\nspec: {ports: [{port: [1]}]}\n"))
	f.Add([]byte("apiVersion: networking.istio.io/v1\nkind: VirtualService\nspec: {http: [{route: 3}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := manifest.Parse("fuzz.yaml", data, manifest.Limits{MaxBytes: 1 << 16, MaxDepth: 50, MaxAliasNodes: 5000})
		if err != nil {
			return
		}
		for _, d := range docs {
			obj, ok := manifest.Value(d.Node).(map[string]any)
			if !ok {
				continue
			}
			apiVersion, _ := obj["apiVersion"].(string)
			kind, _ := obj["kind"].(string)
			for _, p := range Validate(apiVersion, kind, obj) {
				if p.Msg == "" || p.Kind == 0 {
					t.Fatalf("empty problem %+v", p)
				}
			}
			ValidateFleet(obj)
			_ = ValidName(kind, apiVersion)
		}
	})
}
