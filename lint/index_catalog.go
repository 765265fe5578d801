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

// meshSplitFacts marks, for MF309, each destination of a route bound to a
// gateway that names no subset while a mesh VirtualService for the same
// host routes to it by subset: d["meshSplit"] = {ref, namespace, name,
// subset, path} of the first such mesh destination (by ref, then path).
// Mesh-side destinations are grouped by host first, so the cost is linear
// in destinations.
func (ix *index) meshSplitFacts(byRef map[int]*resource) {
	split := map[string]map[string]any{}
	better := func(a, b map[string]any) bool {
		if ra, rb := intOf(a["ref"]), intOf(b["ref"]); ra != rb {
			return ra < rb
		}
		return str(a["path"]) < str(b["path"])
	}
	for _, ds := range ix.dests {
		for _, v := range ds {
			d, _ := v.(map[string]any)
			host, sub := str(d["host"]), str(d["subset"])
			vs := byRef[intOf(d["ref"])]
			if d == nil || sub == "" || vs == nil || strings.Contains(host, "*") || isMirror(str(d["path"])) {
				continue
			}
			if !meshBound(vs, str(d["path"])) || !servesHost(ix.extras[vs.ref]["hosts"], host) {
				continue
			}
			m := map[string]any{"ref": vs.ref, "namespace": vs.namespace, "name": vs.name, "subset": sub, "path": d["path"]}
			if cur := split[host]; cur == nil || better(m, cur) {
				split[host] = m
			}
		}
	}
	if len(split) == 0 {
		return
	}
	for _, ds := range ix.dests {
		for _, v := range ds {
			d, _ := v.(map[string]any)
			if d == nil || str(d["subset"]) != "" || isMirror(str(d["path"])) {
				continue
			}
			m := split[str(d["host"])]
			vs := byRef[intOf(d["ref"])]
			if m == nil || vs == nil || !gatewayBound(vs, str(d["path"])) {
				continue
			}
			d["meshSplit"] = m
		}
	}
}

func isMirror(path string) bool { return strings.Contains(path, ".mirror") }

// servesHost reports whether a VirtualService's hosts (FQDNs) hold host.
func servesHost(hosts any, host string) bool {
	hs, _ := hosts.([]string)
	for _, h := range hs {
		if h == host {
			return true
		}
	}
	return false
}

// meshBound reports whether the route holding the destination at path
// applies to sidecars: its gateways (its matches' when every match names
// some, else the VirtualService's) are none or include mesh.
func meshBound(vs *resource, path string) bool {
	kind, i, ok := routeOf(path)
	if !ok {
		return false
	}
	spec := mapOf(vs.obj["spec"])
	gws := stringList(spec["gateways"])
	route := mapOf(indexOf(listOf(spec[kind]), i))
	if ms := listOf(route["match"]); len(ms) > 0 {
		var union []string
		all := true
		for _, m := range ms {
			g := stringList(mapOf(m)["gateways"])
			if len(g) == 0 {
				all = false
				break
			}
			union = append(union, g...)
		}
		if all {
			gws = union
		}
	}
	if len(gws) == 0 {
		return true
	}
	for _, g := range gws {
		if g == "mesh" {
			return true
		}
	}
	return false
}
