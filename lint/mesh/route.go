package mesh

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/meshfleet/meshfleet/lint"
)

// route follows a caller's sidecar: the VirtualService for the host bound
// to the mesh gateway, its first matching route, then the destinations'
// DestinationRules and endpoints.
func (md *Model) route(f From, q Request, t target, res *Result) {
	vs, ignored := md.virtualService(f, t.fqdn)
	var dests []weighted
	if vs < 0 {
		res.step("route", none, "no VirtualService for %s is bound to the mesh and visible from %s: the Service itself", t.fqdn, f.Namespace)
	} else {
		res.step("route", md.where(vs, ""), "VirtualService %s/%s", md.m.Namespace(vs), md.m.Name(vs))
		for _, ref := range ignored {
			res.step("route", md.where(ref, ""), "VirtualService %s/%s also claims the host for the mesh and is ignored (conflict, IST0109)", md.m.Namespace(ref), md.m.Name(ref))
		}
		var done bool
		dests, done = md.matchRoutes(f, q, t, vs, res)
		if done {
			if res.Status != 0 {
				res.Allowed, res.Reason = No, fmt.Sprintf("the route answers %d itself; the request reaches no workload", res.Status)
			}
			return
		}
	}
	if dests == nil {
		dests = []weighted{{host: t.fqdn, port: q.Port, weight: 100, ns: f.Namespace}}
	}
	var rs []routed
	for _, d := range dests {
		rs = append(rs, md.destination(f, q, d, res))
	}
	for _, r := range rs {
		if r.dest.Weight > 0 {
			res.Destinations = append(res.Destinations, r.dest)
		}
	}
	md.reach(f, q, t, res, rs)
	if res.Status == 0 {
		total := 0
		for _, r := range rs {
			if r.missing || len(r.eps)+len(r.entries) == 0 {
				total += r.dest.Weight
			}
		}
		if total >= 100 {
			res.Status = 503
		}
	}
}

// weighted is one route destination before resolution.
type weighted struct {
	host, subset string
	port         int
	weight       int
	// ns is the namespace the route was written in (short hosts).
	ns string
}

// virtualService picks the VirtualService the caller's sidecar uses for
// host: bound to the mesh gateway (spec.gateways unset or naming "mesh"),
// visible from the caller's namespace by exportTo, naming the host
// literally before any wildcard (Envoy picks the most specific virtual
// host), in the order istiod's sidecar scope lists them (exportTierOf),
// the oldest first within a tier; -1 when none. ignored are the other
// candidates, which Istio drops (istioctl IST0109).
func (md *Model) virtualService(f From, fqdn string) (int, []int) {
	var literal, wild []int
	if h, ok := md.m.Host(fqdn); ok {
		literal = append(literal, h.VirtualServices...)
	}
	for _, w := range md.wildcardVS {
		for _, p := range w.hosts {
			if hostMatches(md.m.FQDN(p, md.m.Namespace(w.ref)), fqdn) {
				wild = append(wild, w.ref)
				break
			}
		}
	}
	for _, l := range [][]int{literal, wild} {
		tiers := make([][]int, 3)
		for _, ref := range l {
			if md.m.Invalid(ref) || !md.m.VisibleIn(ref, f.Namespace) || !meshBound(stringList(dig(md.m.Object(ref), "spec", "gateways"))) {
				continue
			}
			if len(listOf(dig(md.m.Object(ref), "spec", "hosts"))) == 0 {
				continue // a delegate: used only through its root
			}
			t := md.exportTier(ref, f.Namespace)
			tiers[t] = append(tiers[t], ref)
		}
		var all []int
		for _, t := range tiers {
			md.m.Older(t)
			all = append(all, t...)
		}
		if len(all) > 0 {
			return all[0], all[1:]
		}
	}
	return -1, nil
}

// exportTier is istiod's order of the VirtualServices a sidecar sees
// (PushContext's private, exported-to-namespace and public lists): 0 for
// one private to the caller's namespace (exportTo "." only), 1 for one
// exported to it by name, 2 for a public one (exportTo unset or "*").
func (md *Model) exportTier(ref int, ns string) int {
	list := stringList(dig(md.m.Object(ref), "spec", "exportTo"))
	if len(list) == 0 {
		return 2
	}
	private := md.m.Namespace(ref) == ns
	for _, e := range list {
		switch e {
		case "*":
			return 2
		case ".":
		default:
			if e != md.m.Namespace(ref) {
				private = false
			}
		}
	}
	if private {
		return 0
	}
	return 1
}

// meshBound: gateways unset means the mesh; otherwise "mesh" must be
// named. The index's reading, so a rule and a test agree.
func meshBound(gws []string) bool { return lint.MeshBound(gws) }

// matchRoutes walks the VirtualService's routes for the port's protocol:
// http routes in order, first match wins (delegates flattened in place, as
// istiod merges them); tls routes by SNI, tcp routes by L4 attributes. done
// is set when the route answers by itself (direct response, redirect, full
// abort, no route).
func (md *Model) matchRoutes(f From, q Request, t target, vs int, res *Result) (dests []weighted, done bool) {
	spec := mapOf(md.m.Object(vs)["spec"])
	vsGateways := stringList(spec["gateways"])
	if t.httpPort(q) {
		routes := listOf(spec["http"])
		if len(routes) == 0 {
			res.step("route", none, "no http route: the Service itself")
			return nil, false
		}
		for i, rt := range routes {
			rm := mapOf(rt)
			path := fmt.Sprintf("spec.http[%d]", i)
			ok, why := md.httpMatch(f, q, rm, vsGateways)
			if !ok {
				res.step("route", md.where(vs, path), "%s does not match: %s", routeName(rm, path), why)
				continue
			}
			if d := mapOf(rm["delegate"]); d != nil {
				dests, done, hit := md.delegate(f, q, t, vs, d, path, res)
				if hit {
					return dests, done
				}
				continue
			}
			res.step("route", md.where(vs, path), "%s matches", routeName(rm, path))
			return md.action(vs, path, rm, q, res)
		}
		res.Status = 404
		res.Allowed, res.Reason = No, "no http route of the VirtualService matches: Envoy answers 404"
		res.step("route", md.where(vs, ""), "no http route matches: 404 (no route)")
		return nil, true
	}
	kind := "tcp"
	if t.proto == "TLS" {
		kind = "tls"
	}
	for i, rt := range listOf(spec[kind]) {
		rm := mapOf(rt)
		path := fmt.Sprintf("spec.%s[%d]", kind, i)
		ok, why := md.l4Match(f, q, t, kind, listOf(rm["match"]), vsGateways)
		if !ok {
			res.step("route", md.where(vs, path), "%s does not match: %s", path, why)
			continue
		}
		res.step("route", md.where(vs, path), "%s matches", path)
		return md.weights(vs, path, listOf(rm["route"]), q), false
	}
	res.step("route", none, "no %s route matches the %s port: the Service itself", kind, strings.ToLower(t.protoName()))
	return nil, false
}

func (t target) protoName() string {
	if t.proto == "" {
		return "TCP"
	}
	return t.proto
}

func routeName(rm map[string]any, path string) string {
	if n := str(rm["name"]); n != "" {
		return fmt.Sprintf("%s (%q)", path, n)
	}
	return path
}

// delegate evaluates a delegate VirtualService's http routes in place of
// the root route that names it (istio.io "VirtualService", Delegate: the
// delegate's routes must also satisfy the root route's match). hit is false
// when none matches: the root's next route is tried.
func (md *Model) delegate(f From, q Request, t target, root int, d map[string]any, path string, res *Result) ([]weighted, bool, bool) {
	ns := str(d["namespace"])
	if ns == "" {
		ns = md.m.Namespace(root)
	}
	ref, ok := md.m.Lookup("VirtualService", ns, str(d["name"]))
	if !ok || md.m.Invalid(ref) || !md.m.VisibleIn(ref, md.m.Namespace(root)) {
		res.step("route", md.where(root, path+".delegate"), "delegate VirtualService %s/%s is not in the input or not exported to %s: the route is dropped", ns, str(d["name"]), md.m.Namespace(root))
		return nil, false, false
	}
	res.step("route", md.where(ref, ""), "%s delegates to VirtualService %s/%s", path, ns, str(d["name"]))
	for i, rt := range listOf(dig(md.m.Object(ref), "spec", "http")) {
		rm := mapOf(rt)
		p := fmt.Sprintf("spec.http[%d]", i)
		if ok, why := md.httpMatch(f, q, rm, nil); !ok {
			res.step("route", md.where(ref, p), "delegate %s does not match: %s", routeName(rm, p), why)
			continue
		}
		res.step("route", md.where(ref, p), "delegate %s matches", routeName(rm, p))
		dests, done := md.action(ref, p, rm, q, res)
		return dests, done, true
	}
	return nil, false, false
}

// action is what a matched http route does.
func (md *Model) action(vs int, path string, rm map[string]any, q Request, res *Result) ([]weighted, bool) {
	if dr := mapOf(rm["directResponse"]); dr != nil {
		res.Status = intOf(dr["status"])
		res.step("route", md.where(vs, path+".directResponse"), "direct response %d", res.Status)
		return nil, true
	}
	if rd := mapOf(rm["redirect"]); rd != nil {
		res.Status = intOf(rd["redirectCode"])
		if res.Status == 0 {
			res.Status = 301
		}
		res.step("route", md.where(vs, path+".redirect"), "redirect %d", res.Status)
		return nil, true
	}
	if ab := mapOf(dig(rm, "fault", "abort")); ab != nil {
		// istio.io "Virtual Service", HTTPFaultInjection.Abort: without
		// a percentage no request is aborted.
		pct := 0.0
		if p, ok := dig(ab, "percentage", "value").(float64); ok {
			pct = p
		} else if p := dig(ab, "percentage", "value"); p != nil {
			pct = float64(intOf(p))
		}
		status := intOf(ab["httpStatus"])
		if dig(ab, "percentage") == nil {
			res.step("route", md.where(vs, path+".fault.abort"), "fault.abort has no percentage: no request is aborted")
		}
		if pct >= 100 && status > 0 {
			res.Status = status
			res.step("route", md.where(vs, path+".fault.abort"), "fault injection aborts every request with %d", status)
			return nil, true
		}
		if status > 0 && pct > 0 {
			res.step("route", md.where(vs, path+".fault.abort"), "fault injection aborts %g%% of requests with %d; the rest are routed", pct, status)
		}
	}
	return md.weights(vs, path, listOf(rm["route"]), q), false
}

// weights reads a route's destinations with Istio's normalisation of
// relative weights: one destination takes everything; otherwise an unset
// weight is 0 and the rest are scaled to 100 (lint.PercentSplit, the split
// MF304 states).
func (md *Model) weights(vs int, path string, route []any, q Request) []weighted {
	ns := md.m.Namespace(vs)
	out := make([]weighted, 0, len(route))
	raw := make([]int64, len(route))
	var total int64
	for i, rd := range route {
		rdm := mapOf(rd)
		d := mapOf(rdm["destination"])
		w := weighted{host: md.m.FQDN(str(d["host"]), ns), subset: str(d["subset"]), port: intOf(dig(d, "port", "number")), ns: ns}
		if w.port == 0 {
			w.port = q.Port // Istio falls back to the listener port
		}
		raw[i] = int64(intOf(rdm["weight"]))
		total += raw[i]
		out = append(out, w)
	}
	switch {
	case len(out) == 1:
		out[0].weight = 100
	case total > 0:
		for i, p := range lint.PercentSplit(raw, total) {
			out[i].weight = int(p)
		}
	default:
		// No weight given: Envoy spreads requests evenly.
		var ones []int64
		for range out {
			ones = append(ones, 1)
		}
		for i, p := range lint.PercentSplit(ones, int64(len(ones))) {
			out[i].weight = int(p)
		}
	}
	return out
}

// httpMatch: no match blocks match everything; otherwise any block whose
// every condition holds (istio.io "VirtualService", HTTPMatchRequest).
func (md *Model) httpMatch(f From, q Request, rm map[string]any, vsGateways []string) (bool, string) {
	blocks := listOf(rm["match"])
	if len(blocks) == 0 {
		if !meshBound(vsGateways) {
			return false, "not bound to the mesh gateway"
		}
		return true, ""
	}
	var whys []string
	for i, b := range blocks {
		ok, why := md.httpBlock(f, q, mapOf(b), vsGateways)
		if ok {
			return true, ""
		}
		whys = append(whys, fmt.Sprintf("match[%d] %s", i, why))
	}
	return false, strings.Join(whys, "; ")
}

func (md *Model) httpBlock(f From, q Request, b map[string]any, vsGateways []string) (bool, string) {
	gws := stringList(b["gateways"])
	if len(gws) == 0 {
		gws = vsGateways
	}
	if !meshBound(gws) {
		return false, "is for gateways, not the mesh"
	}
	path, query := splitQuery(q.Path)
	if path == "" {
		path = "/"
	}
	if v := b["uri"]; v != nil {
		ic, _ := b["ignoreUriCase"].(bool)
		if ok, why := md.stringMatch(mapOf(v), path, true, ic); !ok {
			return false, "uri " + why
		}
	}
	if v := b["scheme"]; v != nil {
		if ok, why := md.stringMatch(mapOf(v), "http", true, false); !ok {
			return false, "scheme " + why
		}
	}
	if v := b["method"]; v != nil {
		if ok, why := md.stringMatch(mapOf(v), methodOr(q.Method), true, false); !ok {
			return false, "method " + why
		}
	}
	if v := b["authority"]; v != nil {
		auth := q.Host
		if a, ok := q.Headers[":authority"]; ok {
			auth = a
		} else if a, ok := q.Headers["host"]; ok {
			auth = a
		}
		if ok, why := md.stringMatch(mapOf(v), auth, true, false); !ok {
			return false, "authority " + why
		}
	}
	for _, k := range sortedKeys(mapOf(b["headers"])) {
		v, present := q.Headers[strings.ToLower(k)]
		if ok, why := md.stringMatch(mapOf(mapOf(b["headers"])[k]), v, present, false); !ok {
			return false, fmt.Sprintf("header %s %s", k, why)
		}
	}
	for _, k := range sortedKeys(mapOf(b["withoutHeaders"])) {
		v, present := q.Headers[strings.ToLower(k)]
		// Envoy's invert_match: an absent header satisfies it.
		if ok, _ := md.stringMatch(mapOf(mapOf(b["withoutHeaders"])[k]), v, present, false); ok {
			return false, fmt.Sprintf("withoutHeaders %s: the request carries it", k)
		}
	}
	for _, k := range sortedKeys(mapOf(b["queryParams"])) {
		v, present := query[k]
		if ok, why := md.stringMatch(mapOf(mapOf(b["queryParams"])[k]), v, present, false); !ok {
			return false, fmt.Sprintf("query parameter %s %s", k, why)
		}
	}
	if p := intOf(b["port"]); p != 0 && p != q.Port {
		return false, fmt.Sprintf("port %d, the request's is %d", p, q.Port)
	}
	if ok, why := sourceMatch(f, b); !ok {
		return false, why
	}
	return true, ""
}

func sourceMatch(f From, b map[string]any) (bool, string) {
	if sl := stringMapOf(b["sourceLabels"]); len(sl) > 0 {
		for _, k := range sortedKeys(b["sourceLabels"]) {
			if v, ok := f.Labels[k]; !ok || v != sl[k] {
				return false, fmt.Sprintf("sourceLabels %s=%s, the caller's labels lack it", k, sl[k])
			}
		}
	}
	if sn := str(b["sourceNamespace"]); sn != "" && sn != f.Namespace {
		return false, fmt.Sprintf("sourceNamespace %s, the caller is in %s", sn, f.Namespace)
	}
	return true, ""
}

// l4Match reads tcp and tls route matches (L4MatchAttributes,
// TLSMatchAttributes).
func (md *Model) l4Match(f From, q Request, t target, kind string, blocks []any, vsGateways []string) (bool, string) {
	if len(blocks) == 0 {
		if kind == "tls" {
			return false, "a tls route needs a match with sniHosts"
		}
		return meshBound(vsGateways), "not bound to the mesh gateway"
	}
	var whys []string
	for i, b := range blocks {
		bm := mapOf(b)
		gws := stringList(bm["gateways"])
		if len(gws) == 0 {
			gws = vsGateways
		}
		why := ""
		switch {
		case !meshBound(gws):
			why = "is for gateways, not the mesh"
		case intOf(bm["port"]) != 0 && intOf(bm["port"]) != q.Port:
			why = fmt.Sprintf("port %d, the request's is %d", intOf(bm["port"]), q.Port)
		case len(listOf(bm["destinationSubnets"])) > 0:
			why = "destinationSubnets: the destination address is not known offline"
		}
		if why == "" && kind == "tls" {
			sni := false
			for _, s := range stringList(bm["sniHosts"]) {
				if hostMatches(md.m.FQDN(s, f.Namespace), t.fqdn) || hostMatches(strings.ToLower(s), strings.ToLower(q.Host)) {
					sni = true
				}
			}
			if !sni {
				why = "sniHosts do not cover " + t.fqdn
			}
		}
		if why == "" {
			if ok, w := sourceMatch(f, bm); !ok {
				why = w
			}
		}
		if why == "" {
			return true, ""
		}
		whys = append(whys, fmt.Sprintf("match[%d] %s", i, why))
	}
	return false, strings.Join(whys, "; ")
}

func methodOr(m string) string {
	if m == "" {
		return "GET"
	}
	return m
}

func splitQuery(p string) (string, map[string]string) {
	path, raw, found := strings.Cut(p, "?")
	q := map[string]string{}
	if found {
		for _, kv := range strings.Split(raw, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if k != "" {
				if _, dup := q[k]; !dup {
					q[k] = v
				}
			}
		}
	}
	return path, q
}

// stringMatch is Istio's StringMatch: exact, prefix or RE2 regex (a full
// match, as Envoy's safe_regex); an empty match checks presence only.
func (md *Model) stringMatch(sm map[string]any, v string, present, ignoreCase bool) (bool, string) {
	if !present {
		return false, "absent"
	}
	if ignoreCase {
		v = strings.ToLower(v)
	}
	if e, ok := sm["exact"]; ok {
		want := fmt.Sprint(e)
		if ignoreCase {
			want = strings.ToLower(want)
		}
		if v != want {
			return false, fmt.Sprintf("exact %q, the request has %q", want, v)
		}
		return true, ""
	}
	if p, ok := sm["prefix"]; ok {
		want := fmt.Sprint(p)
		if ignoreCase {
			want = strings.ToLower(want)
		}
		if !strings.HasPrefix(v, want) {
			return false, fmt.Sprintf("prefix %q, the request has %q", want, v)
		}
		return true, ""
	}
	if r, ok := sm["regex"]; ok {
		re, err := md.compile(fmt.Sprint(r))
		if err != nil {
			return false, fmt.Sprintf("regex %q is not RE2 (%v): Istio rejects it", fmt.Sprint(r), err)
		}
		if !re.MatchString(v) {
			return false, fmt.Sprintf("regex %q, the request has %q", fmt.Sprint(r), v)
		}
		return true, ""
	}
	return true, ""
}

// compile anchors an RE2 expression for a full match, with a size bound
// (hostile input: Go's regexp is linear-time, but not free to compile),
// once per expression per run.
func (md *Model) compile(expr string) (*regexp.Regexp, error) {
	if len(expr) > 4096 {
		return nil, fmt.Errorf("longer than 4096 bytes")
	}
	md.mu.Lock()
	defer md.mu.Unlock()
	if c, ok := md.regexps[expr]; ok {
		return c.re, c.err
	}
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	md.regexps[expr] = compiled{re, err}
	return re, err
}

type compiled struct {
	re  *regexp.Regexp
	err error
}

func sortedKeys(v any) []string {
	m := mapOf(v)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func stringList(v any) []string {
	var out []string
	for _, e := range listOf(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func stringMapOf(v any) map[string]string {
	m := mapOf(v)
	out := make(map[string]string, len(m))
	for k, e := range m {
		if e == nil {
			out[k] = ""
		} else {
			out[k] = fmt.Sprint(e)
		}
	}
	return out
}
