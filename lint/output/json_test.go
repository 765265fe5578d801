package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// designExample is the --format json example of DESIGN.md §4, verbatim.
// Other tools parse this shape: if this test fails, the contract broke.
const designExample = `{"findings": [{"rule": "MF301", "severity": "error",
   "message": "subset \"next\" selects version=v2, but no workload behind cart.shop.svc.cluster.local has those labels",
   "resource": {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "namespace": "shop", "name": "cart"},
   "file": "apps/cart.yaml", "line": 41, "column": 5, "path": "spec.subsets[1].labels"}],
 "summary": {"files": 1, "resources": 6, "error": 1, "warning": 0, "info": 0}}`

func TestJSONMatchesDesignExample(t *testing.T) {
	r := &finding.Report{
		Findings: []finding.Finding{{
			Rule:     "MF301",
			Severity: finding.Error,
			Message:  `subset "next" selects version=v2, but no workload behind cart.shop.svc.cluster.local has those labels`,
			Resource: finding.Resource{APIVersion: "networking.istio.io/v1", Kind: "DestinationRule", Namespace: "shop", Name: "cart"},
			File:     "apps/cart.yaml", Line: 41, Column: 5, Path: "spec.subsets[1].labels",
		}},
		Summary: finding.Summary{Files: 1, Resources: 6},
	}
	got := render(t, "json", Options{}, r)
	if !strings.HasSuffix(got, "}\n") || !strings.HasPrefix(got, "{\n  \"findings\": [\n") {
		t.Errorf("not two-space indented with a final newline:\n%s", got)
	}
	// Compacting both compares names, order and values byte for byte while
	// ignoring only the layout.
	var want, have bytes.Buffer
	if err := json.Compact(&want, []byte(designExample)); err != nil {
		t.Fatal(err)
	}
	if err := json.Compact(&have, []byte(got)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), have.String()); diff != "" {
		t.Errorf("json output differs from DESIGN.md §4 (-want +got):\n%s", diff)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for name, r := range loadCases(t) {
		t.Run(name, func(t *testing.T) {
			var doc finding.JSONReport
			dec := json.NewDecoder(strings.NewReader(render(t, "json", Options{}, r)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			wantFindings, wantSummary := prepare(r)
			if diff := cmp.Diff(wantFindings, doc.Findings); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantSummary, doc.Summary); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJSONEmptyFindingsIsArray(t *testing.T) {
	got := render(t, "json", Options{}, &finding.Report{Summary: finding.Summary{Files: 2, Resources: 14}})
	if !strings.Contains(got, `"findings": [],`) {
		t.Errorf("findings is not an empty array:\n%s", got)
	}
}
