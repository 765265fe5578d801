package lint

import (
	"sort"
	"strings"

	"github.com/meshfleet/meshfleet/internal/suggest"
)

// istioLabels are the labels Istio defines (istio.io/api label package,
// labels.gen.go, and the labels the ambient and revision features read)
// that a workload may carry. A label under istio.io/ or service.istio.io/
// that is none of them but close to one is a typo (MF208): Istio ignores
// it, so the canonical service, revision or mode it was meant to set is
// not set.
var istioLabels = []string{
	"istio.io/dataplane-mode",
	"istio.io/rev",
	"istio.io/tag",
	"istio.io/use-waypoint",
	"istio.io/use-waypoint-namespace",
	"istio.io/ingress-use-waypoint",
	"istio.io/waypoint-for",
	"istio.io/gateway-name",
	"istio.io/persistent-session",
	"istio.io/persistent-session-header",
	"service.istio.io/canonical-name",
	"service.istio.io/canonical-revision",
	"service.istio.io/workload-name",
	"sidecar.istio.io/inject",
	"security.istio.io/tlsMode",
	"networking.istio.io/gatewayPort",
	"topology.istio.io/cluster",
	"topology.istio.io/network",
	"topology.istio.io/subzone",
	"gateway.istio.io/managed",
	"operator.istio.io/component",
	"operator.istio.io/managed",
	"operator.istio.io/version",
}

var istioLabelSet = func() map[string]bool {
	m := make(map[string]bool, len(istioLabels))
	for _, l := range istioLabels {
		m[l] = true
	}
	return m
}()

// labelTypoFacts sets f["labelTypos"] to [{key, suggestion, path}] (sorted
// by key) for the workload's labels under istio.io/ or service.istio.io/
// that are no Istio label but a near miss of one; absent when there are
// none. path is where the label is written: labelsPath, or a WorkloadEntry's
// metadata.labels when the key is there (those win the merge).
func labelTypoFacts(f map[string]any, r *resource, labelsPath string, labels map[string]string) {
	var keys []string
	for k := range labels {
		if (strings.HasPrefix(k, "istio.io/") || strings.HasPrefix(k, "service.istio.io/")) && !istioLabelSet[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	sort.Strings(keys)
	var out []any
	for _, k := range keys {
		if s := suggest.Closest(k, istioLabels); s != "" {
			path := labelsPath
			if r.kind == "WorkloadEntry" {
				if _, ok := stringMap(dig(r.obj, "metadata", "labels"))[k]; ok {
					path = "metadata.labels"
				}
			}
			out = append(out, map[string]any{"key": k, "suggestion": s, "path": path})
		}
	}
	if len(out) > 0 {
		f["labelTypos"] = out
	}
}
