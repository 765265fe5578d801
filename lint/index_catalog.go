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
	gws, ok := routeGateways(vs, path)
	if !ok {
		return false
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

// meshHostConflicts sets, for MF308 (istioctl's
// ConflictingMeshGatewayHostsAnalyzer, IST0109), "meshHostConflicts" on
// each VirtualService bound to mesh (no gateways, or mesh among them) that
// shares a host with another such VirtualService exported to an
// overlapping set of namespaces: [{index (of spec.hosts), host, others
// (the first three "ns/name", sorted), count (how many others)}]. One
// object written twice (same namespace and name) is one VirtualService,
// the later copy winning; one that fails its schema takes no part. Grouped by host, then by export namespace, so
// no two VirtualServices are compared unless they share both.
func (ix *index) meshHostConflicts(vss []*resource) {
	latest := map[string]*resource{}
	for _, vs := range vss {
		if schemaInvalid(vs) {
			continue // rejected by the API server: takes no part
		}
		k := vs.namespace + "/" + vs.name
		if cur := latest[k]; cur == nil || vs.ref > cur.ref {
			latest[k] = vs
		}
	}
	type entry struct {
		vs     *resource
		index  int
		scopes []string // "*" alone, or namespaces
	}
	type group struct {
		star []*entry
		byNs map[string][]*entry
		all  []*entry
	}
	groups := map[string]*group{}
	var hosts []string
	for _, vs := range vss {
		if latest[vs.namespace+"/"+vs.name] != vs {
			continue
		}
		spec := mapOf(vs.obj["spec"])
		if !meshGateways(stringList(spec["gateways"])) {
			continue
		}
		scopes := exportScopes(vs)
		if len(scopes) == 0 {
			continue
		}
		seen := map[string]bool{}
		for i, raw := range listOf(spec["hosts"]) {
			h := ix.fqdn(str(raw), vs.namespace)
			if h == "" || seen[h] {
				continue
			}
			seen[h] = true
			g := groups[h]
			if g == nil {
				g = &group{byNs: map[string][]*entry{}}
				groups[h] = g
				hosts = append(hosts, h)
			}
			e := &entry{vs: vs, index: i, scopes: scopes}
			g.all = append(g.all, e)
			if scopes[0] == "*" {
				g.star = append(g.star, e)
				continue
			}
			for _, ns := range scopes {
				g.byNs[ns] = append(g.byNs[ns], e)
			}
		}
	}
	sort.Strings(hosts)
	name := func(e *entry) string { return e.vs.namespace + "/" + e.vs.name }
	for _, h := range hosts {
		g := groups[h]
		if len(g.all) < 2 {
			continue
		}
		// The VirtualServices visible where an entry is, cached by its
		// scopes: entries exported alike share one sorted list.
		visible := map[string][]string{}
		for _, e := range g.all {
			key := strings.Join(e.scopes, ",")
			list, ok := visible[key]
			if !ok {
				var in []*entry
				if e.scopes[0] == "*" {
					in = g.all
				} else {
					in = append(in, g.star...)
					for _, ns := range e.scopes {
						in = append(in, g.byNs[ns]...)
					}
				}
				seen := map[string]bool{}
				for _, o := range in {
					if n := name(o); !seen[n] {
						seen[n] = true
						list = append(list, n)
					}
				}
				sort.Strings(list)
				visible[key] = list
			}
			if len(list) < 2 {
				continue
			}
			self := name(e)
			var others []string
			for _, n := range list {
				if len(others) == 3 {
					break
				}
				if n != self {
					others = append(others, n)
				}
			}
			c := map[string]any{"index": e.index, "host": h, "others": others, "count": len(list) - 1}
			x := ix.extra(e.vs.ref)
			prev, _ := x["meshHostConflicts"].([]any)
			x["meshHostConflicts"] = append(prev, c)
		}
	}
}

// MeshBound reports whether a VirtualService with these gateways applies
// to sidecars: none given means mesh. lint/mesh routes by the same reading.
func MeshBound(gws []string) bool { return meshGateways(gws) }

// meshGateways reports whether a VirtualService with these gateways
// applies to sidecars: none given means mesh.
func meshGateways(gws []string) bool {
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

// exportScopes is where a VirtualService is visible, as istioctl reads
// spec.exportTo: ["*"] when unset or when "*" is among them, "." as its own
// namespace, "~" as nowhere; else the namespaces, sorted.
func exportScopes(vs *resource) []string {
	list := stringList(dig(vs.obj, "spec", "exportTo"))
	if len(list) == 0 {
		return []string{"*"}
	}
	seen := map[string]bool{}
	var out []string
	for _, v := range list {
		v = strings.TrimSpace(v)
		switch v {
		case "*":
			return []string{"*"}
		case ".":
			v = vs.namespace
		case "", "~":
			continue
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
