package lint

import (
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"gopkg.in/yaml.v3"
)

// testIndex builds an index from YAML documents separated by ---. The map
// finds each resource as "Kind/name" and as "Kind/namespace/name".
func testIndex(t *testing.T, docs string) (*index, map[string]*resource) {
	t.Helper()
	var rs []*resource
	byName := map[string]*resource{}
	for i, d := range strings.Split(docs, "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(d), &obj); err != nil {
			t.Fatal(err)
		}
		r := newResource(obj, "t.yaml", i, -1)
		r.ref = len(rs)
		rs = append(rs, r)
		byName[r.kind+"/"+r.name] = r
		byName[r.kind+"/"+r.namespace+"/"+r.name] = r
	}
	return newIndex(rs, "istio-system", "cluster.local", nil), byName
}

// workloadFacts is w's value in input.index.workloads as plain Go values.
func workloadFacts(t *testing.T, ix *index, w *workload) map[string]any {
	t.Helper()
	v, err := ast.JSON(ix.workloadValue(w, ix.classSecurityValues(2)))
	if err != nil {
		t.Fatal(err)
	}
	return v.(map[string]any)
}
