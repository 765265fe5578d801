package mesh_test

import (
	"sync"
	"testing"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/lint"
	"github.com/meshfleet/meshfleet/lint/mesh"
)

var (
	modelOnce sync.Once
	model     *mesh.Model
)

// fuzzModel is the model of a fixture with routes, subsets and policies,
// loaded once: the fuzzed tests run against it.
func fuzzModel(t testing.TB) *mesh.Model {
	modelOnce.Do(func() {
		m, err := lint.LoadModel(lint.Options{Paths: []string{"../../fixtures/meshtest/authz-order", "../../fixtures/meshtest/route-match-order"}})
		if err != nil {
			t.Fatal(err)
		}
		model = mesh.New(m)
	})
	return model
}

// FuzzMeshTest feeds arbitrary bytes through the MeshTest parser and runs
// what parses against a fixed model: errors are fine, panics and unbounded
// work are not.
func FuzzMeshTest(f *testing.F) {
	f.Add([]byte(`apiVersion: meshfleet.dev/v1alpha1
kind: MeshTest
metadata: {name: t}
spec:
  cases:
    - name: a
      from: {namespace: shop, serviceAccount: client, labels: {app: client}, address: 10.0.0.1}
      request: {host: cart, port: 8080, method: GET, path: "/items/1?x=1", headers: {x-a: b}}
      expect: {allowed: true, mtls: true, status: 503, endpoints: [Pod/shop/cart-v1], destinations: [{host: cart, subset: v1, port: 8080, weight: 100}]}
    - name: b
      from: {external: true}
      request: {host: api.api.svc.cluster.local, port: 80, path: /sso/x}
      expect: {allowed: false}
`))
	f.Add([]byte("apiVersion: meshfleet.dev/v1alpha1\nkind: MeshTest\nspec: {cases: [{nam: x}]}\n"))
	f.Add([]byte("kind: MeshTest\nspec: {cases: 3}\n"))
	md := fuzzModel(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := manifest.Parse("fuzz.yaml", data, manifest.DefaultLimits)
		if err != nil {
			return
		}
		for _, d := range docs {
			s, errs := mesh.Parse(d)
			if s == nil {
				if len(errs) == 0 {
					t.Fatal("no suite and no error")
				}
				continue
			}
			_, _ = md.Run([]*mesh.Suite{s}, nil)
		}
	})
}
