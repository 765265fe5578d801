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
