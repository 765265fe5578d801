package lint

import (
	"sort"
	"strings"
)

// Visibility by exportTo (DESIGN.md §4). A ServiceEntry, VirtualService or
// DestinationRule is visible where spec.exportTo says, a Service where its
// networking.istio.io/exportTo annotation (comma-separated) says: "." is the
// resource's own namespace, "*" every namespace, "~" none, anything else a
// namespace name. Unset, the mesh defaults apply (defaultServiceExportTo,
// defaultVirtualServiceExportTo, defaultDestinationRuleExportTo), which
// offline are assumed to be Istio's own: every namespace.

// exportToAnnotation is the Service annotation Istio reads as exportTo.
const exportToAnnotation = "networking.istio.io/exportTo"

// exportSet is where a resource is visible.
type exportSet struct {
	all bool
	ns  map[string]bool
}

// exportsOf reads r's exportTo.
func exportsOf(r *resource) exportSet {
	var list []string
	if r.kind == "Service" {
		if a := str(dig(r.obj, "metadata", "annotations", exportToAnnotation)); a != "" {
			list = strings.Split(a, ",")
		}
	} else {
		list = stringList(dig(r.obj, "spec", "exportTo"))
	}
	e := exportSet{ns: map[string]bool{}}
	written := false
	for _, v := range list {
		switch v = strings.TrimSpace(v); v {
		case "":
			continue
		case "*":
			e.all = true
		case ".":
			e.ns[r.namespace] = true
		case "~":
		default:
			e.ns[v] = true
		}
		written = true
	}
	if !written {
		e.all = true
	}
	return e
}

// visibleIn reports whether the resource is visible from some namespace of
// scopes ("*" standing for every namespace, which only an export to all
// covers), as istioctl analyze's GetDestinationHost looks hosts up.
func (e exportSet) visibleIn(scopes []string) bool {
	if e.all {
		return true
	}
	for _, s := range scopes {
		if s != "*" && e.ns[s] {
			return true
		}
	}
	return false
}

// consumerScopes are the namespaces a VirtualService's destinations must be
// visible from, as istioctl analyze's DestinationHostAnalyzer reads them:
// its own namespace without exportTo, else its exportTo ("." its own
// namespace, "*" every namespace, "~" none), sorted.
func consumerScopes(vs *resource) []string {
	list := stringList(dig(vs.obj, "spec", "exportTo"))
	seen := map[string]bool{}
	var out []string
	for _, v := range list {
		v = strings.TrimSpace(v)
		if v == "." {
			v = vs.namespace
		}
		if v == "" || v == "~" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	if len(list) == 0 {
		out = []string{vs.namespace}
	}
	sort.Strings(out)
	return out
}

// ruleVisibleIn reports whether DestinationRule r applies to clients in
// namespace ns: istiod's PushContext.SetDestinationRules indexes a rule for
// its own namespace only when its exportTo is unset or holds ".", "*" or
// that namespace, and for other namespaces where it is exported.
func ruleVisibleIn(r *resource, ns string) bool {
	return exportsOf(r).visibleIn([]string{ns})
}

// describe names a resource as messages do: "Service shop/cart".
func describe(r *resource) string {
	return r.kind + " " + r.namespace + "/" + r.name
}

// schemaInvalid reports whether r failed its schema (MF101): the API server
// or istiod rejects it (a ServiceEntry host "*" included), so it takes no
// part in host, subset or workload resolution (DESIGN.md §4), though it is
// still linted itself. MF101 disabled, nothing is known invalid.
func schemaInvalid(r *resource) bool {
	for _, p := range r.problems {
		if p.rule == RuleSchema.ID {
			return true
		}
	}
	return false
}

// ownSelector is the selector of a Service (spec.selector) or ServiceEntry
// (spec.workloadSelector.labels).
func (ix *index) ownSelector(r *resource, spec map[string]any) map[string]string {
	if r.kind == "Service" {
		return stringMap(spec["selector"])
	}
	return stringMap(dig(spec, "workloadSelector", "labels"))
}
