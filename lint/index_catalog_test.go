package lint

import (
	"fmt"
	"testing"
)

func TestLabelTypoFacts(t *testing.T) {
	f := map[string]any{}
	labelTypoFacts(f, &resource{kind: "Deployment"}, "spec.template.metadata.labels", map[string]string{
		"app":                                 "cart",
		"service.istio.io/canonical-version":  "v2",
		"service.istio.io/canonical-revision": "v2",
		"istio.io/use-waypiont":               "wp",
		"istio.io/rev":                        "canary",
		"istio.io/tag":                        "stable",
		"istio.io/owner-team":                 "payments",
		"service.istio.io/team":               "payments",
	})
	got := fmt.Sprint(f["labelTypos"])
	want := "[map[key:istio.io/use-waypiont path:spec.template.metadata.labels suggestion:istio.io/use-waypoint] map[key:service.istio.io/canonical-version path:spec.template.metadata.labels suggestion:service.istio.io/canonical-revision]]"
	if got != want {
		t.Errorf("labelTypos = %s, want %s", got, want)
	}
	none := map[string]any{}
	labelTypoFacts(none, &resource{kind: "Deployment"}, "spec.template.metadata.labels", map[string]string{"app": "cart", "istio.io/rev": "canary"})
	if _, ok := none["labelTypos"]; ok {
		t.Errorf("labelTypos set for Istio's own labels: %v", none)
	}
}

func TestMeshBound(t *testing.T) {
	vs := func(spec map[string]any) *resource {
		return &resource{kind: "VirtualService", obj: map[string]any{"spec": spec}}
	}
	route := map[string]any{"route": []any{}}
	matched := func(gws ...any) map[string]any {
		return map[string]any{"match": []any{map[string]any{"gateways": gws}}, "route": []any{}}
	}
	for _, tc := range []struct {
		spec map[string]any
		want bool
	}{
		{map[string]any{"http": []any{route}}, true},
		{map[string]any{"gateways": []any{"gw"}, "http": []any{route}}, false},
		{map[string]any{"gateways": []any{"gw", "mesh"}, "http": []any{route}}, true},
		{map[string]any{"gateways": []any{"gw", "mesh"}, "http": []any{matched("gw")}}, false},
		{map[string]any{"gateways": []any{"gw"}, "http": []any{matched("mesh")}}, true},
	} {
		if got := meshBound(vs(tc.spec), "spec.http[0].route[0].destination"); got != tc.want {
			t.Errorf("meshBound(%v) = %v, want %v", tc.spec, got, tc.want)
		}
	}
}

func TestExportScopes(t *testing.T) {
	vs := func(exportTo ...any) *resource {
		spec := map[string]any{}
		if exportTo != nil {
			spec["exportTo"] = exportTo
		}
		return &resource{kind: "VirtualService", namespace: "shop", obj: map[string]any{"spec": spec}}
	}
	for _, tc := range []struct {
		vs   *resource
		want string
	}{
		{vs(), "[*]"},
		{vs("."), "[shop]"},
		{vs("web", ".", "web"), "[shop web]"},
		{vs("web", "*"), "[*]"},
		{vs("~"), "[]"},
	} {
		if got := fmt.Sprint(exportScopes(tc.vs)); got != tc.want {
			t.Errorf("exportScopes = %s, want %s", got, tc.want)
		}
	}
}
