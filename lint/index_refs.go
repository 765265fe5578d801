package lint

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// This file precomputes what the label, host and subset rules (MF2xx,
// MF3xx) look up across resources, so each rule is a lookup in Rego: where
// a route destination resolves to, which Service ports it may name, which
// WorkloadGroup a WorkloadEntry belongs to, which resources repeat another.
// Everything is attached to route destinations (input.destinations), to
// DestinationRules (input.resources.DestinationRule[i]), to workloads
// (input.index.workloads) or to input.index.virtualServices: policies/README.md
// documents each field. WorkloadEntry and VirtualService facts stay in the
// index so shards need not convert those objects.

// autoRegistrationGroup is the annotation istiod puts on a WorkloadEntry it
// created for a VM that connected with a WorkloadGroup.
const autoRegistrationGroup = "istio.io/autoRegistrationGroup"

// addRefs runs after hosts are known (newIndex calls it last).
func (ix *index) addRefs(rs []*resource) {
	byRef := make(map[int]*resource, len(rs))
	apps := map[string]bool{}           // namespace holds a Service or a workload
	byShort := map[string][]*resource{} // Service name → Services of that name
	var wildcards []string              // ServiceEntry wildcard hosts
	var wildcardRefs []int              // the ServiceEntry of each
	invalid := map[string]string{}      // host → first schema-invalid provider
	var vss, drs, wes []*resource
	groups := map[string]*resource{} // namespace/name → WorkloadGroup
	for _, r := range rs {
		byRef[r.ref] = r
		istio := r.group() == "networking.istio.io"
		switch {
		case r.wl != nil:
			apps[r.namespace] = true
		case r.kind == "Service" && r.apiVersion == "v1":
			apps[r.namespace] = true
			if schemaInvalid(r) {
				if h := str(ix.extras[r.ref]["host"]); invalid[h] == "" {
					invalid[h] = describe(r)
				}
				break // provides nothing to suggest
			}
			byShort[strings.ToLower(r.name)] = append(byShort[strings.ToLower(r.name)], r)
		}
		if !istio {
			continue
		}
		switch r.kind {
		case "ServiceEntry":
			if schemaInvalid(r) {
				hs, _ := ix.extras[r.ref]["hosts"].([]string)
				for _, h := range hs {
					if invalid[h] == "" {
						invalid[h] = describe(r)
					}
				}
				break // provides no host (index_exports.go)
			}
			for _, h := range stringList(dig(r.obj, "spec", "hosts")) {
				if h = strings.ToLower(strings.TrimSpace(h)); strings.HasPrefix(h, "*") {
					wildcards = append(wildcards, h)
					wildcardRefs = append(wildcardRefs, r.ref)
				}
			}
		case "VirtualService":
			vss = append(vss, r)
		case "DestinationRule":
			drs = append(drs, r)
		case "WorkloadEntry":
			wes = append(wes, r)
		case "WorkloadGroup":
			groups[r.namespace+"/"+r.name] = r
		}
	}
	covered := func(h string) bool {
		for _, w := range wildcards {
			if w == "*" || strings.HasSuffix(h, w[1:]) {
				return true
			}
		}
		return false
	}
	provided := func(name string) bool {
		h := ix.hosts[name]
		return h != nil && len(h.services)+len(h.serviceEntries) > 0 || covered(name)
	}
	// elsewhere lists "name.ns" for the Services called short outside ns.
	elsewhere := func(short, ns string) []string {
		var out []string
		for _, s := range byShort[short] {
			if s.namespace != ns {
				out = append(out, s.name+"."+s.namespace)
			}
		}
		sort.Strings(out)
		return out
	}

	ix.wlFacts = make(map[int]map[string]any, len(ix.workloads))
	ix.vsFacts = map[string][]any{}
	// hiddenFrom names the first provider of a provided host when none is
	// exported to any namespace of scopes (index_exports.go), "" when one is.
	hiddenFrom := func(name string, scopes []string) string {
		first := ""
		visible := func(ref int) bool {
			r := byRef[ref]
			if r == nil || exportsOf(r).visibleIn(scopes) {
				return true
			}
			if first == "" {
				first = describe(r)
			}
			return false
		}
		if h := ix.hosts[name]; h != nil {
			for _, ref := range append(append([]int(nil), h.services...), h.serviceEntries...) {
				if visible(ref) {
					return ""
				}
			}
		}
		for i, w := range wildcards {
			if (w == "*" || strings.HasSuffix(name, w[1:])) && visible(wildcardRefs[i]) {
				return ""
			}
		}
		return first
	}
	ix.annotateDestinations(byRef, apps, provided, covered, elsewhere, hiddenFrom, invalid)
	// providedIn is provided, counting only providers (wildcard
	// ServiceEntries included) exported to some namespace of scopes.
	providedIn := func(name string, scopes []string) bool {
		return provided(name) && hiddenFrom(name, scopes) == ""
	}
	for _, r := range vss {
		ix.annotateVirtualService(r, providedIn, elsewhere)
	}
	ix.annotateDestinationRules(drs, provided, providedIn, hiddenFrom, elsewhere)
	ix.annotateWorkloadEntries(wes, groups)
	ix.installFacts(rs, wes, groups) // MF701–MF703 (index_install.go)
	for _, w := range ix.workloads {
		if r := byRef[w.ref]; r != nil {
			path, noSidecar := labelsPathOf(r)
			f := ix.wlFact(w.ref)
			f["labelsPath"], f["noSidecar"], f["missingLabels"] = path, noSidecar, missingAppVersion(w.labels)
			labelTypoFacts(f, r, path, w.labels) // MF208 (index_catalog.go)
		}
	}
	ix.meshSplitFacts(byRef) // MF309 (index_catalog.go)

	ix.meshHostConflicts(vss)       // MF308 (index_catalog.go)
	ix.routeReachFacts(vss)         // MF310, MF311 (index_analyzers.go)
	ix.gatewayFacts(rs, vss)        // MF312, MF313
	ix.serviceEntryAddressFacts(rs) // MF407
}

// telemetryLabels are the labels Istio reads a workload's canonical service
// (app) and revision (version) from, any one of each sufficing.
var telemetryLabels = [2]struct {
	role string
	keys []string
}{
	{"app", []string{"service.istio.io/canonical-name", "app.kubernetes.io/name", "app"}},
	{"version", []string{"service.istio.io/canonical-revision", "app.kubernetes.io/version", "version"}},
}

// missingAppVersion lists "app" and/or "version" when labels carry none of
// the labels Istio reads for that role.
func missingAppVersion(labels map[string]string) []string {
	out := []string{}
	for _, t := range telemetryLabels {
		found := false
		for _, k := range t.keys {
			found = found || labels[k] != ""
		}
		if !found {
			out = append(out, t.role)
		}
	}
	return out
}

func (ix *index) wlFact(ref int) map[string]any {
	f := ix.wlFacts[ref]
	if f == nil {
		f = map[string]any{}
		ix.wlFacts[ref] = f
	}
	return f
}

// virtualServicesValue is input.index.virtualServices: by namespace, each
// VirtualService's route facts. Kept in the index rather than on the
// resources so no shard converts VirtualService objects for them.
func (ix *index) virtualServicesValue() map[string]any {
	out := make(map[string]any, len(ix.vsFacts))
	for ns, l := range ix.vsFacts {
		out[ns] = l
	}
	return out
}

// refValues adds the workload facts of addRefs to a workload's value
// (workloadValue).
func (ix *index) refValues(w *workload, set func(string, *ast.Term)) {
	for k, v := range ix.wlFacts[w.ref] {
		set(k, ast.NewTerm(toAST(v)))
	}
}

// annotateDestinations adds to each route destination whether something
// provides its host, whether the input may be trusted to show every
// provider (checkable), Services of the same short name elsewhere, the
// Service ports it may name, and whether its route is bound to a gateway.
func (ix *index) annotateDestinations(byRef map[int]*resource, apps map[string]bool,
	provided func(string) bool, covered func(string) bool, elsewhere func(string, string) []string,
	hiddenFrom func(string, []string) string, invalid map[string]string) {
	for _, ds := range ix.dests {
		for _, raw := range ds {
			d := mapOf(raw)
			name := str(d["host"])
			if name == "" || strings.Contains(name, "*") {
				continue
			}
			h := ix.hosts[name]
			exists := provided(name)
			ok := exists
			d["checkable"] = h != nil && h.namespace != "" && ix.namespaces[h.namespace] != nil && apps[h.namespace]
			vs := byRef[intOf(d["ref"])]
			if vs != nil && exists {
				// Provided, but maybe not where the VirtualService applies.
				if scopes := consumerScopes(vs); len(scopes) > 0 {
					if by := hiddenFrom(name, scopes); by != "" {
						ok = false
						d["notExported"] = map[string]any{"to": scopes, "by": by}
					}
				}
			}
			d["provided"] = ok
			if by := invalid[name]; !exists && by != "" {
				d["invalidProvider"] = by
			}
			if vs == nil {
				continue
			}
			if sub := str(d["subset"]); sub != "" && h != nil && len(h.subsets[sub]) > 0 {
				// The subset is defined, but maybe only by rules not
				// exported to the route's namespace.
				first := ""
				for _, ref := range h.subsets[sub] {
					r := byRef[ref]
					if r == nil || ruleVisibleIn(r, vs.namespace) {
						first = ""
						break
					}
					if first == "" {
						first = describe(r)
					}
				}
				if first != "" {
					d["subsetNotExported"] = map[string]any{"to": vs.namespace, "by": first}
				}
			}
			if short := strings.ToLower(str(d["rawHost"])); !exists && short != "" && !strings.Contains(short, ".") {
				if e := elsewhere(short, vs.namespace); len(e) > 0 {
					d["elsewhere"] = e
				}
			}
			d["gatewayBound"] = gatewayBound(vs, str(d["path"]))
			if ok && h != nil && len(h.services) > 0 && len(h.serviceEntries) == 0 && !covered(name) {
				if ports, ok := hostPorts(byRef, h.services); ok {
					d["hostPorts"] = ports
				}
			}
		}
	}
}

// hostPorts returns the port numbers of the Services behind a host; ok
// is false when one of them is an ExternalName Service, whose ports say
// nothing about what the name reaches.
func hostPorts(byRef map[int]*resource, refs []int) (ports []int, ok bool) {
	seen := map[int]bool{}
	for _, ref := range refs {
		r := byRef[ref]
		if r == nil {
			return nil, false
		}
		spec := mapOf(r.obj["spec"])
		if str(spec["type"]) == "ExternalName" {
			return nil, false
		}
		for _, p := range listOf(spec["ports"]) {
			if n, ok := number(mapOf(p)["port"]); ok && !seen[int(n)] {
				seen[int(n)] = true
				ports = append(ports, int(n))
			}
		}
	}
	sort.Ints(ports)
	return ports, len(ports) > 0
}

// gatewayBound reports whether the route holding the destination at path
// applies to a gateway: its matches' gateways when every match names some,
// else the VirtualService's (none means mesh only).
func gatewayBound(vs *resource, path string) bool {
	gws, ok := routeGateways(vs, path)
	if !ok {
		return false
	}
	for _, g := range gws {
		if g != "mesh" {
			return true
		}
	}
	return false
}

// routeGateways returns the gateways the route holding the destination at
// path is bound to: its matches' gateways when every match names some,
// else the VirtualService's (none means mesh only). ok is false when path
// names no route.
func routeGateways(vs *resource, path string) ([]string, bool) {
	kind, i, ok := routeOf(path)
	if !ok {
		return nil, false
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
	return gws, true
}

// routeOf reads "spec.http[3]..." as ("http", 3).
func routeOf(path string) (kind string, i int, ok bool) {
	rest, found := strings.CutPrefix(path, "spec.")
	if !found {
		return "", 0, false
	}
	open := strings.IndexByte(rest, '[')
	end := strings.IndexByte(rest, ']')
	if open < 0 || end < open {
		return "", 0, false
	}
	i, err := strconv.Atoi(rest[open+1 : end])
	return rest[:open], i, err == nil
}

// annotateVirtualService records each route's weights (weightSplits) and
// the short hosts of a mesh VirtualService that resolve to nothing while a
// Service of that name lives in another namespace (shortHosts).
func (ix *index) annotateVirtualService(r *resource, providedIn func(string, []string) bool, elsewhere func(string, string) []string) {
	spec := mapOf(r.obj["spec"])
	var splits []any
	for _, kind := range []string{"http", "tcp", "tls"} {
		for i, rt := range listOf(spec[kind]) {
			if s := weightSplit(listOf(mapOf(rt)["route"])); s != nil {
				s["path"] = fmt.Sprintf("spec.%s[%d].route", kind, i)
				splits = append(splits, s)
			}
		}
	}
	e := map[string]any{"ref": r.ref, "weightSplits": orEmpty(splits)}
	ix.vsFacts[r.namespace] = append(ix.vsFacts[r.namespace], e)
	gws := stringList(spec["gateways"])
	mesh := len(gws) == 0
	for _, g := range gws {
		mesh = mesh || g == "mesh"
	}
	var shorts []any
	scopes := consumerScopes(r) // where its clients are (index_exports.go)
	for i, raw := range listOf(spec["hosts"]) {
		short := strings.ToLower(strings.TrimSpace(str(raw)))
		if !mesh || short == "" || strings.ContainsAny(short, ".*") {
			continue
		}
		name := ix.fqdn(short, r.namespace)
		if providedIn(name, scopes) {
			continue
		}
		if el := elsewhere(short, r.namespace); len(el) > 0 {
			shorts = append(shorts, map[string]any{"path": fmt.Sprintf("spec.hosts[%d]", i), "rawHost": str(raw), "host": name, "elsewhere": el})
		}
	}
	e["shortHosts"] = orEmpty(shorts)
}

// weightSplit describes one route's destinations and weights: count,
// weights (null where omitted, which Istio reads as 0), total, and the
// effective split in whole percent (largest remainder, so it adds to 100).
// nil when a weight is not a number (the schema rules report that).
func weightSplit(route []any) map[string]any {
	if len(route) == 0 {
		return nil
	}
	weights := make([]any, len(route))
	ns := make([]int64, len(route))
	var total int64
	given := 0
	for i, rd := range route {
		w, present := mapOf(rd)["weight"]
		if !present || w == nil {
			continue
		}
		n, ok := number(w)
		if !ok || n < 0 {
			return nil
		}
		weights[i], ns[i] = n, n
		total += n
		given++
	}
	return map[string]any{
		"count": len(route), "given": given, "weights": weights, "total": total,
		"split": effectiveSplit(ns, total),
	}
}

// effectiveSplit writes weights as whole percentages of total that add up
// to 100: floors first, then the remaining points to the largest
// remainders, earlier destinations first on ties.
func effectiveSplit(ws []int64, total int64) string {
	if total <= 0 {
		return ""
	}
	pct := PercentSplit(ws, total)
	parts := make([]string, len(ws))
	for i, p := range pct {
		parts[i] = strconv.FormatInt(p, 10) + "%"
	}
	return strings.Join(parts, "/")
}

// PercentSplit is Istio's normalisation of relative route weights (total
// their sum, > 0) as whole percentages adding up to 100: floors first, then
// the remaining points to the largest remainders, earlier destinations
// first on ties. The behaviour model routes by it, so a test's split and
// MF304's stated split are one computation.
func PercentSplit(ws []int64, total int64) []int64 {
	pct := make([]int64, len(ws))
	rem := make([]int64, len(ws))
	left := int64(100)
	for i, w := range ws {
		pct[i] = w * 100 / total
		rem[i] = w * 100 % total
		left -= pct[i]
	}
	order := make([]int, len(ws))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for _, i := range order {
		if left <= 0 {
			break
		}
		pct[i]++
		left--
	}
	return pct
}

// annotateDestinationRules marks a DestinationRule that Istio merges into
// an earlier one for the same host (same namespace, both without
// workloadSelector, exported alike) and that loses something in the merge
// (duplicateOf): Istio concatenates the subsets, keeping the first of two
// with one name, and adopts the first top-level trafficPolicy only, so a
// later rule loses its trafficPolicy when an earlier one set one, and every
// subset an earlier one already defines. A merge that loses nothing (one
// rule holds the policy, the other adds subsets) is how Istio documents
// splitting a rule, and is not reported. It also marks a short host that
// resolves to nothing while a Service of that name lives elsewhere
// (shortHost).
func (ix *index) annotateDestinationRules(drs []*resource, provided func(string) bool, providedIn func(string, []string) bool, hiddenFrom func(string, []string) string, elsewhere func(string, string) []string) {
	sort.SliceStable(drs, func(i, j int) bool { return before(drs[i], drs[j]) })
	// merged is what the rules of one key so far contribute: who set the
	// trafficPolicy, and who defined each subset name.
	type merged struct {
		first   *resource
		policy  *resource
		subsets map[string]*resource
	}
	first := map[string]*merged{}
	for _, r := range drs {
		spec := mapOf(r.obj["spec"])
		raw := strings.ToLower(strings.TrimSpace(str(spec["host"])))
		name := str(ix.extras[r.ref]["host"])
		if name == "" || strings.Contains(name, "*") {
			continue
		}
		// The rule applies to clients where it is exported: the host must
		// be visible there (a wildcard ServiceEntry's exportTo included).
		scopes := consumerScopes(r)
		ok := providedIn(name, scopes)
		ix.extra(r.ref)["provided"] = ok
		if !ok && provided(name) {
			ix.extra(r.ref)["hiddenFrom"] = map[string]any{"provider": hiddenFrom(name, scopes), "scopes": scopes}
		}
		if raw != "" && !strings.Contains(raw, ".") && !ok {
			if el := elsewhere(raw, r.namespace); len(el) > 0 {
				ix.extra(r.ref)["shortHost"] = map[string]any{"rawHost": str(spec["host"]), "host": name, "elsewhere": el}
			}
		}
		if len(stringMap(dig(spec, "workloadSelector", "matchLabels"))) > 0 {
			continue
		}
		key := r.namespace + "\x00" + name + "\x00" + exportKey(spec["exportTo"], r.namespace)
		m := first[key]
		if m == nil {
			m = &merged{first: r, subsets: map[string]*resource{}}
			first[key] = m
		} else if m.first.name == r.name {
			continue // the same object written twice, not two rules
		}
		var lost []string
		var by *resource
		if _, has := spec["trafficPolicy"]; has && spec["trafficPolicy"] != nil {
			if m.policy != nil && m.policy != r {
				lost = append(lost, "its trafficPolicy (the one of "+m.policy.namespace+"/"+m.policy.name+" applies)")
				by = m.policy
			} else if m.policy == nil {
				m.policy = r
			}
		}
		for _, s := range listOf(spec["subsets"]) {
			n := str(mapOf(s)["name"])
			if o := m.subsets[n]; o != nil && o != r {
				lost = append(lost, "subset "+strconv.Quote(n)+" (the one of "+o.namespace+"/"+o.name+" applies)")
				if by == nil {
					by = o
				}
			} else if o == nil {
				m.subsets[n] = r
			}
		}
		if len(lost) > 0 {
			ix.extra(r.ref)["duplicateOf"] = map[string]any{"ref": by.ref, "namespace": by.namespace, "name": by.name, "lost": strings.Join(lost, " and ")}
		}
	}
}

// exportKey normalises exportTo: unset or empty is "*", "." is the own
// namespace, order and repeats do not matter.
func exportKey(v any, ns string) string {
	set := map[string]bool{}
	for _, e := range stringList(v) {
		if e == "." {
			e = ns
		}
		set[e] = true
	}
	if len(set) == 0 {
		set["*"] = true
	}
	return strings.Join(sortedKeys(set), ",")
}

// annotateWorkloadEntries ties each WorkloadEntry to its WorkloadGroup
// (group) and marks one that repeats an earlier entry's address on the same
// network (sameAddress).
//
// The group is the one named by istio.io/autoRegistrationGroup in the
// entry's namespace; without the annotation, the one WorkloadGroup of the
// namespace whose (non-empty) labels the entry carries, if exactly one does.
// A manual entry carrying a group's labels receives that group's traffic and
// policies, so its identity should be the group's; an entry that fits no
// group, or several, is left alone.
func (ix *index) annotateWorkloadEntries(wes []*resource, groups map[string]*resource) {
	// fits counts, per class of WorkloadEntries, the groups whose labels
	// it carries, and keeps the first: only "exactly one" matters.
	type fit struct {
		n int
		g *resource
	}
	fits := map[*class]*fit{}
	for _, key := range sortedKeys(groups) {
		g := groups[key]
		if g.wl == nil || len(declaredLabels(g.wl.labels)) == 0 {
			continue
		}
		for _, c := range ix.selectIn(g.namespace, g.wl.labels).classes {
			if c.kind == "WorkloadEntry" {
				f := fits[c]
				if f == nil {
					f = &fit{g: g}
					fits[c] = f
				}
				f.n++
			}
		}
	}
	sort.SliceStable(wes, func(i, j int) bool { return before(wes[i], wes[j]) })
	first := map[string]*resource{}
	for _, r := range wes {
		ann := stringMap(dig(r.obj, "metadata", "annotations"))
		var g *resource
		via := ""
		if name := ann[autoRegistrationGroup]; name != "" {
			g, via = groups[r.namespace+"/"+name], "annotation"
		} else if r.wl != nil && fits[r.wl.cls] != nil && fits[r.wl.cls].n == 1 {
			g, via = fits[r.wl.cls].g, "labels"
		}
		if g != nil && g.wl != nil {
			ix.wlFact(r.ref)["group"] = map[string]any{
				"ref": g.ref, "name": g.name, "via": via,
				"labels": g.wl.labels, "serviceAccount": g.wl.serviceAccount,
			}
		}
		spec := mapOf(r.obj["spec"])
		addr, err := netip.ParseAddr(strings.TrimSpace(str(spec["address"])))
		if err != nil {
			continue // DNS names and unix sockets may be shared on purpose
		}
		key := str(spec["network"]) + "\x00" + addr.Unmap().String()
		f := first[key]
		if f == nil {
			first[key] = r
			continue
		}
		if f.name == r.name && f.namespace == r.namespace {
			continue
		}
		ix.wlFact(r.ref)["sameAddress"] = map[string]any{"ref": f.ref, "namespace": f.namespace, "name": f.name, "address": addr.Unmap().String(), "network": str(spec["network"])}
	}
}

// labelsPathOf returns the path of the labels map Istio reads a workload's
// app and version from (or of the nearest field that exists, to add it
// under), and whether the workload opted out of sidecar injection.
func labelsPathOf(r *resource) (path string, noSidecar bool) {
	var candidates []string
	var meta map[string]any
	switch r.kind {
	case "Pod":
		candidates = []string{"metadata.labels", "metadata"}
		meta = mapOf(r.obj["metadata"])
	case "WorkloadEntry":
		candidates = []string{"spec.labels", "metadata.labels", "spec"}
	case "WorkloadGroup":
		candidates = []string{"spec.metadata.labels", "spec.metadata", "spec"}
	case "CronJob":
		candidates = []string{"spec.jobTemplate.spec.template.metadata.labels", "spec.jobTemplate.spec.template.metadata", "spec.jobTemplate.spec.template"}
		meta = mapOf(dig(r.obj, "spec", "jobTemplate", "spec", "template", "metadata"))
	default:
		candidates = []string{"spec.template.metadata.labels", "spec.template.metadata", "spec.template"}
		meta = mapOf(dig(r.obj, "spec", "template", "metadata"))
	}
	if meta != nil {
		inject := "sidecar.istio.io/inject"
		noSidecar = strings.EqualFold(stringMap(meta["labels"])[inject], "false") ||
			strings.EqualFold(stringMap(meta["annotations"])[inject], "false")
	}
	for _, c := range candidates {
		if digPath(r.obj, c) != nil {
			return c, noSidecar
		}
	}
	return "", noSidecar
}

func digPath(obj map[string]any, path string) any {
	return dig(obj, strings.Split(path, ".")...)
}

// before orders resources as findings are sorted: by file, then position
// in it (a rendered resource sits at its VMFleet), then load order.
func before(a, b *resource) bool {
	if a.file != b.file {
		return a.file < b.file
	}
	if da, db := docOf(a), docOf(b); da != db {
		return da < db
	}
	if a.item != b.item {
		return a.item < b.item
	}
	return a.ref < b.ref
}

func docOf(r *resource) int {
	if r.rendered != nil && r.rendered.Fleet != nil && r.rendered.Fleet.Doc != nil {
		return r.rendered.Fleet.Doc.Index
	}
	return r.doc
}

// number reads a YAML integer (int, int64, uint64 or an integral float).
func number(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		return int64(x), true
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	}
	return 0, false
}

func intOf(v any) int {
	n, _ := number(v)
	return int(n)
}

func indexOf(l []any, i int) any {
	if i < 0 || i >= len(l) {
		return nil
	}
	return l[i]
}
