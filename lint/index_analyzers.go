package lint

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// Facts for the rules that follow istioctl analyze's route, gateway and
// ServiceEntry checks (MF310–MF314, MF407): routes a VirtualService can
// never reach and matches that repeat earlier ones (istiod's validation
// warnings IST0130 and IST0131), VirtualServices bound to Gateways that do
// not serve their hosts or do not exist (virtualservice.GatewayAnalyzer,
// IST0132 and IST0101), Gateways declaring one host twice for the same
// gateway pods (gateway.ConflictingGatewayAnalyzer, IST0145), and
// ServiceEntries whose TCP ports have no address to tell their traffic
// apart (serviceentry.ProtocolAddressesAnalyzer, IST0134). Each is
// computed per resource or grouped by name, so the cost is linear in the
// input.

// routeReachFacts sets, on each VirtualService with such routes,
// "unreachableRoutes": [{path, name, reason (catchAll|covered), by (the
// path of the earlier route or match that takes the traffic), byWhy}] and
// "ineffectiveMatches": [{path, by, how (duplicate|prefix), prefix,
// byPrefix}] for matches of still reachable routes that an earlier match
// repeats or covers.
func (ix *index) routeReachFacts(vss []*resource) {
	for _, vs := range vss {
		spec := mapOf(vs.obj["spec"])
		var unreachable, ineffective []any
		for _, kind := range []string{"http", "tcp", "tls"} {
			u, i := routeReach(kind, listOf(spec[kind]))
			unreachable = append(unreachable, u...)
			ineffective = append(ineffective, i...)
		}
		if len(unreachable) == 0 && len(ineffective) == 0 {
			continue
		}
		e := ix.extra(vs.ref)
		if len(unreachable) > 0 {
			e["unreachableRoutes"] = unreachable
		}
		if len(ineffective) > 0 {
			e["ineffectiveMatches"] = ineffective
		}
	}
}

// routeReach walks the routes of one kind in order, as Envoy tries them.
// A route without match takes every request (or connection), so every
// later route is unreachable (istiod stops generating routes there); so
// does an HTTP match that matches everything by istiod's own reading
// (isCatchAllMatch: uri prefix "/" — or no uri, or regex ".*" — and no
// other condition), and an L4 match with no condition. A match whose
// conditions (its name aside) equal an earlier match's never applies; nor
// does an HTTP uri prefix match whose other conditions equal (or include)
// those of an earlier prefix match with a shorter prefix of it — the sound
// part of istiod's overlap check, which also compares methods, authorities
// and headers by string prefix in a direction that can flag reachable
// matches. A route every match of which is dead is unreachable; dead
// matches of a route that stays reachable are reported as ineffective. A
// delegating route catches only what its delegate's routes catch (istiod
// merges them in its place), so its matches make no later one dead.
func routeReach(kind string, routes []any) (unreachable, ineffective []any) {
	unit := "request"
	if kind != "http" {
		unit = "connection"
	}
	var covered map[string][2]string
	if kind == "http" {
		covered = prefixCover(routes)
	}
	catchAll, catchWhy := "", ""
	seen := map[string]string{}
	for i, raw := range routes {
		rm, ok := raw.(map[string]any)
		if !ok {
			continue // null route: the schema rules report it
		}
		path := fmt.Sprintf("spec.%s[%d]", kind, i)
		name := ""
		if kind == "http" {
			name = str(rm["name"])
		}
		if catchAll != "" {
			unreachable = append(unreachable, map[string]any{
				"path": path, "name": name, "reason": "catchAll", "by": catchAll, "byWhy": catchWhy,
			})
			continue
		}
		ms := listOf(rm["match"])
		// A delegating route hands over to the delegate's routes, which
		// istiod merges in its place: what it catches depends on them.
		delegates := rm["delegate"] != nil
		if len(ms) == 0 {
			if !delegates {
				catchAll, catchWhy = path, "has no match, so it takes every "+unit+" first"
			}
			continue
		}
		var dead []any
		firstAll := ""
		for j, m := range ms {
			mpath := fmt.Sprintf("%s.match[%d]", path, j)
			mm := mapOf(m)
			key := matchKey(mm, kind, "")
			if by, ok := seen[key]; ok {
				dead = append(dead, map[string]any{"path": mpath, "by": by, "how": "duplicate"})
				continue
			}
			if !delegates {
				seen[key] = mpath
			}
			if c, ok := covered[mpath]; ok {
				p, _ := uriPrefix(mm)
				dead = append(dead, map[string]any{"path": mpath, "by": c[0], "how": "prefix", "prefix": p, "byPrefix": c[1]})
				continue
			}
			if firstAll == "" && matchesAll(mm, kind) {
				firstAll = mpath
			}
		}
		if len(dead) == len(ms) {
			unreachable = append(unreachable, map[string]any{
				"path": path, "name": name, "reason": "covered", "by": str(mapOf(dead[0])["by"]), "byWhy": "",
			})
			continue
		}
		ineffective = append(ineffective, dead...)
		if firstAll != "" && !delegates {
			catchAll, catchWhy = firstAll, "matches every "+unit+", so its route takes them first"
		}
	}
	return unreachable, ineffective
}

// prefixCover finds the http matches whose uri prefix an earlier match's
// shorter prefix covers while every other condition is the same (or the
// earlier match has no other condition): by the
// path of such a match, the path and prefix of the first covering one.
// Matches are grouped by their other conditions and sorted by prefix, so
// that the prefixes of a prefix are the stack a single walk keeps: the
// cost is the sort plus the prefixes' total length.
func prefixCover(routes []any) map[string][2]string {
	type entry struct {
		order  int
		path   string
		prefix string
		covers bool // false for a delegating route's match
	}
	groups := map[string][]entry{}
	seen := map[string]bool{}
	order := 0
	for i, raw := range routes {
		delegates := mapOf(raw)["delegate"] != nil
		for j, m := range listOf(mapOf(raw)["match"]) {
			mm := mapOf(m)
			p, ok := uriPrefix(mm)
			if !ok {
				continue
			}
			if key := matchKey(mm, "http", ""); seen[key] {
				continue // a duplicate: reported as such
			} else if !delegates {
				seen[key] = true
			}
			rest := matchKey(mm, "http", "uri")
			groups[rest] = append(groups[rest], entry{order, fmt.Sprintf("spec.http[%d].match[%d]", i, j), p, !delegates})
			order++
		}
	}
	// A match with no condition but its uri prefix covers longer prefixes
	// whatever their other conditions: its entries join every group's
	// walk as covering ones only, within a budget (beyond it such covers
	// go unreported, never wrongly reported).
	plain := groups["{}"]
	shared := len(plain)*len(groups) <= 200_000
	out := map[string][2]string{}
	for rest, es := range groups {
		type item struct {
			e     entry
			judge bool // covered or not is decided for this one here
		}
		items := make([]item, 0, len(es)+len(plain))
		for _, e := range es {
			items = append(items, item{e, true})
		}
		if shared && rest != "{}" {
			for _, e := range plain {
				items = append(items, item{e, false})
			}
		}
		if len(items) < 2 {
			continue
		}
		sort.Slice(items, func(a, b int) bool {
			if items[a].e.prefix != items[b].e.prefix {
				return items[a].e.prefix < items[b].e.prefix
			}
			return items[a].e.order < items[b].e.order
		})
		// stack holds the entries whose prefix is a prefix of the current
		// one, each with the earliest covering entry among it and those
		// below (order -1: none).
		type frame struct{ e, first entry }
		var stack []frame
		for _, it := range items {
			e := it.e
			for len(stack) > 0 && !strings.HasPrefix(e.prefix, stack[len(stack)-1].e.prefix) {
				stack = stack[:len(stack)-1]
			}
			first := entry{order: -1}
			if e.covers {
				first = e
			}
			if len(stack) > 0 {
				if f := stack[len(stack)-1].first; f.order >= 0 && (first.order < 0 || f.order < first.order) {
					first = f
				}
			}
			if first.order >= 0 && first.order < e.order && it.judge && first.prefix != e.prefix {
				out[e.path] = [2]string{first.path, first.prefix}
			}
			stack = append(stack, frame{e, first})
		}
	}
	return out
}

// matchKey is a canonical form of a match's conditions, as istiod's
// validation compares them (JSON of the message, so unset, empty and zero
// values are absent), without its name and without the field drop.
func matchKey(m map[string]any, kind, drop string) string {
	c := canonicalValue(m)
	if cm, ok := c.(map[string]any); ok {
		if kind == "http" {
			delete(cm, "name")
		}
		if drop != "" {
			delete(cm, drop)
		}
		if len(cm) == 0 {
			c = nil
		}
	}
	if c == nil {
		return "{}" // no condition
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Sprint(c)
	}
	return string(b)
}

// canonicalValue drops what a protobuf message leaves unset: null, false,
// "", 0 and empty collections, recursively.
func canonicalValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if c := canonicalValue(e); c != nil {
				out[k] = c
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(x) == 0 {
			return nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = canonicalValue(e)
		}
		return out
	case bool:
		if !x {
			return nil
		}
	case string:
		if x == "" {
			return nil
		}
	case int, int64, uint64, float64:
		if n, ok := number(x); ok && n == 0 {
			return nil
		}
	}
	return v
}

// uriPrefix is the match's uri prefix when its uri is a prefix match.
func uriPrefix(m map[string]any) (string, bool) {
	uri := mapOf(canonicalValue(m["uri"]))
	if len(uri) != 1 {
		return "", false
	}
	p, ok := uri["prefix"].(string)
	return p, ok && p != ""
}

// matchesAll reports whether a match lets every request (every
// connection, for tcp and tls) through.
func matchesAll(m map[string]any, kind string) bool {
	c := mapOf(canonicalValue(m))
	if kind == "http" {
		delete(c, "name")
		delete(c, "ignoreUriCase")
		if uri, ok := c["uri"]; ok {
			u := mapOf(uri)
			if len(u) != 1 || (u["prefix"] != "/" && u["regex"] != ".*") {
				return false
			}
			delete(c, "uri")
		}
	}
	return len(c) == 0
}

// gatewayFacts sets, on each VirtualService naming Gateways (spec.gateways
// other than mesh), "gatewayHostMismatch": [{index, gateway ("ns/name"),
// hosts (the VirtualService's, as written), gatewayHosts (the first three
// the Gateway serves to the VirtualService's namespace), more}] for a
// Gateway of the input none of whose hosts covers any of the
// VirtualService's, and "gatewaysMissing": [{index, gateway, namespace}]
// for a Gateway name the input holds no Gateway of. Gateway names resolve
// as istiod reads them (ns/name, ./name, a short name in the
// VirtualService's namespace, the legacy name.ns[.svc.cluster.local]).
// A Gateway failing its schema serves nothing and is not reported missing
// (MF101 reports it). Hosts are compared as istio's host.Name.Matches does
// (wildcards either side), the Gateway's namespace/host entries counting
// only for VirtualServices of that namespace (or */); a VirtualService
// short host counts both as written (istioctl compares it so) and as
// istiod resolves it (name.<ns>.svc.cluster.local), so neither reading
// alone raises a finding.
// gateway is a Gateway of the input with its servers' hosts sanitised
// ("ns/host" or "host", see serverHosts).
type gateway struct {
	r     *resource
	hosts []string
	// qualified: the "ns/h" hosts by ns, built when first needed.
	qualified map[string][]string
}

func (ix *index) gatewayFacts(rs []*resource, vss []*resource) {
	gws := map[string]*gateway{}
	invalid := map[string]bool{}
	for _, r := range rs {
		if r.kind != "Gateway" || r.group() != "networking.istio.io" {
			continue
		}
		key := r.namespace + "/" + r.name
		if schemaInvalid(r) {
			invalid[key] = true
			continue
		}
		g := &gateway{r: r}
		for _, s := range listOf(dig(r.obj, "spec", "servers")) {
			g.hosts = append(g.hosts, serverHosts(stringList(mapOf(s)["hosts"]), r.namespace)...)
		}
		if cur := gws[key]; cur == nil || r.ref > cur.r.ref {
			gws[key] = g // one object written twice: the later copy wins
		}
	}
	ix.conflictingGateways(gws)
	matchers := map[string]*hostMatcher{} // gateway key + "\x00" + namespace
	for _, vs := range vss {
		spec := mapOf(vs.obj["spec"])
		var hosts []string
		for _, h := range listOf(spec["hosts"]) {
			if s := strings.ToLower(strings.TrimSpace(str(h))); s != "" {
				hosts = append(hosts, s)
			}
		}
		var mismatch, missing []any
		seen := map[string]bool{}
		for i, raw := range listOf(spec["gateways"]) {
			name := strings.TrimSpace(str(raw))
			if name == "" || name == "mesh" {
				continue
			}
			key := resolveGatewayName(name, vs.namespace)
			if seen[key] {
				continue
			}
			seen[key] = true
			g := gws[key]
			if g == nil {
				if !invalid[key] {
					ns, _, _ := strings.Cut(key, "/")
					missing = append(missing, map[string]any{"index": i, "gateway": key, "namespace": ns})
				}
				continue
			}
			if len(hosts) == 0 {
				continue // no hosts: the schema rules report it
			}
			// The hosts offered everywhere, and those offered to this
			// namespace only: each matcher is built once, so a Gateway
			// bound from many namespaces costs its hosts once.
			all := matchers[key]
			if all == nil {
				all = newHostMatcher(hostsForNamespace(unqualified(g.hosts), ""))
				matchers[key] = all
			}
			mk := key + "\x00" + vs.namespace
			own := matchers[mk]
			if own == nil {
				if g.qualified == nil {
					g.qualified = qualifiedHosts(g.hosts)
				}
				own = newHostMatcher(g.qualified[vs.namespace])
				matchers[mk] = own
			}
			found := false
			for _, h := range hosts {
				fq := ix.fqdnIstiod(h, vs.namespace)
				if all.matches(h) || all.matches(fq) || own.matches(h) || own.matches(fq) {
					found = true
					break
				}
			}
			if !found {
				offered := append(append([]string(nil), all.written...), own.written...)
				sort.Strings(offered)
				shown, more := firstN(offered, 3)
				mismatch = append(mismatch, map[string]any{
					"index": i, "gateway": key, "hosts": hosts, "gatewayHosts": orEmptyStrings(shown), "more": more,
				})
			}
		}
		if len(mismatch) > 0 {
			ix.extra(vs.ref)["gatewayHostMismatch"] = mismatch
		}
		if len(missing) > 0 {
			ix.extra(vs.ref)["gatewaysMissing"] = missing
		}
	}
}

// fqdnIstiod is a VirtualService host as istiod resolves it: a name
// without dots gains .<ns>.svc.cluster.local; anything else stays.
func (ix *index) fqdnIstiod(h, ns string) string {
	if h == "*" || strings.Contains(h, ".") || strings.Contains(h, ":") {
		return h
	}
	return h + "." + ns + "." + clusterDomain
}

// resolveGatewayName turns a VirtualService's gateway reference into
// "ns/name" as istiod does.
func resolveGatewayName(name, ns string) string {
	if before, after, ok := strings.Cut(name, "/"); ok {
		if before == "." {
			return ns + "/" + after
		}
		return name
	}
	short, rest, ok := strings.Cut(name, ".")
	if !ok {
		return ns + "/" + name
	}
	// Legacy name.namespace[.svc.cluster.local].
	gwNs, _, _ := strings.Cut(rest, ".")
	return gwNs + "/" + short
}

// serverHosts reads a Gateway server's hosts as istioctl does: "./h"
// becomes "<gateway ns>/h", "*/h" becomes "h", and "*/*" the wildcard.
func serverHosts(hosts []string, ns string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if before, after, ok := strings.Cut(h, "/"); ok {
			switch before {
			case ".":
				h = ns + "/" + after
			case "*":
				h = after
			}
		}
		if h != "" {
			out = append(out, h)
		}
	}
	return out
}

// hostsForNamespace keeps the hosts a Gateway offers to VirtualServices of
// namespace ns (istio's host.NamesForNamespace): unqualified ones, and
// "ns/h" or "*/h" ones with the qualifier removed.
func hostsForNamespace(hosts []string, ns string) []string {
	var out []string
	for _, h := range hosts {
		if before, after, ok := strings.Cut(h, "/"); ok {
			if before != ns && before != "*" {
				continue
			}
			h = after
		}
		out = append(out, h)
	}
	return out
}

// unqualified keeps the hosts a Gateway offers to every namespace: those
// without a qualifier, or qualified "*/".
func unqualified(hosts []string) []string {
	var out []string
	for _, h := range hosts {
		if before, _, ok := strings.Cut(h, "/"); !ok || before == "*" {
			out = append(out, h)
		}
	}
	return out
}

// qualifiedHosts groups, unqualified, the hosts a Gateway offers to one
// namespace alone ("ns/h") by that namespace.
func qualifiedHosts(hosts []string) map[string][]string {
	out := map[string][]string{}
	for _, h := range hosts {
		if before, after, ok := strings.Cut(h, "/"); ok && before != "*" {
			out[before] = append(out[before], after)
		}
	}
	return out
}

// hostMatcher answers host.Name.Matches against a set of hosts in time
// proportional to the host's length: exact hosts in a set, wildcard
// suffixes ("*.example.com" → ".example.com") in another, and every
// dot-suffix of every host, for a wildcard asking whether some host lies
// under it.
type hostMatcher struct {
	exact    map[string]bool
	wild     map[string]bool // suffix after "*"
	suffixes map[string]bool // dot-suffixes of exact and wildcard hosts
	any      bool            // some host at all
	star     bool            // "*" among them
	written  []string
}

func newHostMatcher(hosts []string) *hostMatcher {
	m := &hostMatcher{exact: map[string]bool{}, wild: map[string]bool{}, suffixes: map[string]bool{}}
	seen := map[string]bool{}
	for _, h := range hosts {
		if seen[h] {
			continue
		}
		seen[h] = true
		m.written = append(m.written, h)
		m.any = true
		body := h
		if strings.HasPrefix(h, "*") {
			body = h[1:]
			if body == "" {
				m.star = true
				continue
			}
			m.wild[body] = true
		} else {
			m.exact[h] = true
		}
		m.suffixes[body] = true
		for i := 0; i < len(body); i++ {
			if body[i] == '.' {
				m.suffixes[body[i:]] = true
			}
		}
	}
	sort.Strings(m.written)
	return m
}

func (m *hostMatcher) matches(h string) bool {
	if !m.any || h == "" {
		return false
	}
	if m.star || h == "*" {
		return true
	}
	body := h
	if strings.HasPrefix(h, "*") {
		body = h[1:]
		// A host of the gateway lies under this wildcard.
		if m.suffixes[body] {
			return true
		}
	} else if m.exact[h] {
		return true
	}
	// A wildcard of the gateway covers this host (or this wildcard).
	if m.wild[body] {
		return true
	}
	for i := 0; i < len(body); i++ {
		if body[i] == '.' && m.wild[body[i:]] {
			return true
		}
	}
	return false
}

func firstN(l []string, n int) ([]string, int) {
	if len(l) <= n {
		return l, 0
	}
	return l[:n], len(l) - n
}

// meshDNSAllocation reads, from the mesh configurations the input holds,
// whether sidecars give ServiceEntries without addresses an address of
// their own: known is false when the input holds none (an IstioOperator
// that installs istiod, or the istio ConfigMap of the root namespace), and
// allocated is true when one of them captures DNS and auto-allocates
// (proxyMetadata ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE
// or PILOT_ENABLE_IP_AUTOALLOCATE "true", as istioctl reads them; in an
// IstioOperator also under values.meshConfig), or a ProxyConfig sets them
// in its environmentVariables, or an istiod enables
// PILOT_ENABLE_IP_AUTOALLOCATE (istiod then writes addresses into the
// ServiceEntry's status). sources names the mesh configurations read.
func (ix *index) meshDNSAllocation(rs []*resource) (known, allocated bool, sources []string) {
	check := func(r *resource, meta map[string]any) {
		known = true
		sources = append(sources, describe(r))
		v := func(k string) string { s, _ := envValue(meta[k]); return strings.TrimSpace(s) }
		if v("ISTIO_META_DNS_CAPTURE") == "true" && (v("ISTIO_META_DNS_AUTO_ALLOCATE") == "true" || v("PILOT_ENABLE_IP_AUTOALLOCATE") == "true") {
			allocated = true
		}
	}
	for _, r := range rs {
		switch {
		case r.kind == "IstioOperator" && r.group() == "install.istio.io":
			cp := istioOperatorPilot(r)
			if cp == nil {
				continue
			}
			check(r, mapOf(dig(r.obj, "spec", "meshConfig", "defaultConfig", "proxyMetadata")))
			// values.meshConfig is the Helm form istioctl also accepts.
			if meta := mapOf(dig(r.obj, "spec", "values", "meshConfig", "defaultConfig", "proxyMetadata")); len(meta) > 0 {
				check(r, meta)
			}
			if b, err := strconv.ParseBool(cp.env["PILOT_ENABLE_IP_AUTOALLOCATE"]); err == nil && b {
				allocated = true
			}
		case r.kind == "ConfigMap" && r.apiVersion == "v1" && r.namespace == ix.root &&
			(r.name == "istio" || strings.HasPrefix(r.name, "istio-")) && !strings.HasPrefix(r.name, "istio-sidecar-injector"):
			text, ok := dig(r.obj, "data", "mesh").(string)
			if !ok {
				continue
			}
			docs, err := manifest.Parse(r.file, []byte(text), manifest.DefaultLimits)
			if err != nil || len(docs) != 1 {
				continue // unreadable: it tells nothing
			}
			check(r, mapOf(dig(mapOf(manifest.Value(docs[0].Node)), "defaultConfig", "proxyMetadata")))
		case r.kind == "ProxyConfig" && r.group() == "networking.istio.io":
			// Its environment variables reach the proxies it selects (every
			// proxy, in the root namespace without selector): one that
			// allocates is taken to allocate for all, to stay silent.
			env := mapOf(dig(r.obj, "spec", "environmentVariables"))
			v := func(k string) string { s, _ := envValue(env[k]); return strings.TrimSpace(s) }
			if v("ISTIO_META_DNS_CAPTURE") == "true" && (v("ISTIO_META_DNS_AUTO_ALLOCATE") == "true" || v("PILOT_ENABLE_IP_AUTOALLOCATE") == "true") {
				allocated = true
			}
		case r.kind == "Deployment" && r.group() == "apps":
			if cp := istiodDeployment(r); cp != nil {
				if b, err := strconv.ParseBool(cp.env["PILOT_ENABLE_IP_AUTOALLOCATE"]); err == nil && b {
					allocated = true
				}
			}
		}
	}
	sort.Strings(sources)
	return known, allocated, sources
}

// serviceEntryAddressFacts sets, for MF407, "addressesRequired" on each
// ServiceEntry without spec.addresses (nor addresses istiod allocated in
// its status) whose ports include TCP or unset protocols: [{index, number,
// protocol}] — only when the input holds the mesh configuration and it
// does not auto-allocate addresses (see meshDNSAllocation), since without
// it whether sidecars allocate one cannot be known offline. "meshConfig"
// names the configurations read.
func (ix *index) serviceEntryAddressFacts(rs []*resource) {
	known, allocated, sources := ix.meshDNSAllocation(rs)
	if !known || allocated {
		return
	}
	for _, r := range rs {
		if r.kind != "ServiceEntry" || r.group() != "networking.istio.io" {
			continue
		}
		if len(listOf(dig(r.obj, "spec", "addresses"))) > 0 || len(listOf(dig(r.obj, "status", "addresses"))) > 0 {
			continue
		}
		var ports []any
		for i, p := range listOf(dig(r.obj, "spec", "ports")) {
			pm := mapOf(p)
			proto := str(pm["protocol"])
			if proto == "" || strings.EqualFold(proto, "TCP") {
				ports = append(ports, map[string]any{"index": i, "number": pm["number"], "protocol": proto})
			}
		}
		if len(ports) > 0 {
			e := ix.extra(r.ref)
			e["addressesRequired"] = ports
			e["meshConfig"] = sources
		}
	}
}

// conflictingGateways sets, for MF314 (istioctl's
// gateway.ConflictingGatewayAnalyzer, IST0145), "conflictingServers" on
// each Gateway a server of which declares a host (as written, with the
// same bind address) that a server of another Gateway declares on the same
// port number, the two Gateways selecting the same gateway pods, unless
// both servers are plaintext HTTP (istiod merges those; it skips a TLS
// server whose host another already has, and does not merge servers of
// other protocols on one port): their selectors are equal (gateway selectors pick pods in every namespace), or
// one holds the other and some workload of the input carries both, as
// istioctl checks it against pods. istiod keeps only one server per host
// and port there (model.CheckDuplicates). Facts: [{index (of
// spec.servers), port, selector ("k=v,..."), host, others (the first
// three other Gateways, "ns/name", in input order), more (true when there
// are others beyond them)}]. Servers are grouped by selector and port and
// hosts looked up in maps; selectors holding one another are compared
// only while there are at most maxRelatedSelectors distinct selectors.
func (ix *index) conflictingGateways(gws map[string]*gateway) {
	type server struct {
		g     *gateway
		key   string // ns/name
		index int
		port  int64
		bind  string
		plain bool // plaintext HTTP: istiod merges such servers
		hosts []string
	}
	type group struct {
		servers []*server
		// host + "\x00" + bind → the Gateways of its servers, in input
		// order, apart for plaintext HTTP servers (merged with each other)
		owners, plainOwners map[string][]string
	}
	var keys []string
	for k := range gws {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return before(gws[keys[i]].r, gws[keys[j]].r) })
	groups := map[string]*group{} // selector + "~" + port
	selectors := map[string]map[string]string{}
	var order []string
	for _, k := range keys {
		g := gws[k]
		sel := stringMap(dig(g.r.obj, "spec", "selector"))
		selKey := formatSelector(sel)
		selectors[selKey] = sel
		for i, raw := range listOf(dig(g.r.obj, "spec", "servers")) {
			sm := mapOf(raw)
			n, ok := number(dig(sm, "port", "number"))
			if !ok {
				continue
			}
			sv := &server{g: g, key: k, index: i, port: n, bind: strings.TrimSpace(str(sm["bind"]))}
			if sm["tls"] == nil {
				switch strings.ToUpper(str(dig(sm, "port", "protocol"))) {
				case "HTTP", "HTTP2", "GRPC", "GRPC-WEB":
					sv.plain = true
				}
			}
			for _, h := range stringList(sm["hosts"]) {
				if h = strings.TrimSpace(h); h != "" {
					sv.hosts = append(sv.hosts, h)
				}
			}
			gk := selKey + "~" + strconv.FormatInt(n, 10)
			gr := groups[gk]
			if gr == nil {
				gr = &group{owners: map[string][]string{}, plainOwners: map[string][]string{}}
				groups[gk] = gr
				order = append(order, gk)
			}
			gr.servers = append(gr.servers, sv)
			for _, h := range sv.hosts {
				hk := h + "\x00" + sv.bind
				m := gr.owners
				if sv.plain {
					m = gr.plainOwners
				}
				if l := m[hk]; len(l) == 0 || l[len(l)-1] != k {
					m[hk] = append(l, k)
				}
			}
		}
	}
	// related[s]: the other selectors selecting pods s selects too.
	related := map[string][]string{}
	if len(selectors) <= maxRelatedSelectors {
		sels := sortedKeys(selectors)
		for i, a := range sels {
			for _, b := range sels[i+1:] {
				sa, sb := selectors[a], selectors[b]
				if len(sa) == 0 || len(sb) == 0 || !(matches(sa, sb) || matches(sb, sa)) {
					continue
				}
				union := map[string]string{}
				for k, v := range sa {
					union[k] = v
				}
				for k, v := range sb {
					union[k] = v
				}
				if sel := ix.selectAll(union); sel != nil && sel.count > 0 {
					related[a] = append(related[a], b)
					related[b] = append(related[b], a)
				}
			}
		}
	}
	for _, gk := range order {
		selKey, port, _ := strings.Cut(gk, "~")
		peers := []*group{groups[gk]}
		for _, o := range related[selKey] {
			if gr := groups[o+"~"+port]; gr != nil {
				peers = append(peers, gr)
			}
		}
		for _, sv := range groups[gk].servers {
			for _, h := range sv.hosts {
				seen := map[string]bool{sv.key: true}
				var others []string
				more := false
				take := func(l []string) {
					for _, o := range l {
						if seen[o] {
							continue
						}
						if len(others) == 3 {
							more = true
							return
						}
						seen[o] = true
						others = append(others, o)
					}
				}
				for _, gr := range peers {
					take(gr.owners[h+"\x00"+sv.bind])
					if !sv.plain { // plaintext HTTP servers are merged
						take(gr.plainOwners[h+"\x00"+sv.bind])
					}
				}
				if len(others) == 0 {
					continue
				}
				x := ix.extra(sv.g.r.ref)
				prev, _ := x["conflictingServers"].([]any)
				x["conflictingServers"] = append(prev, map[string]any{
					"index": sv.index, "port": sv.port, "selector": selKey, "host": h, "others": others, "more": more,
				})
				break
			}
		}
	}
}

// maxRelatedSelectors bounds the pairs of distinct Gateway selectors
// compared for holding one another (their square).
const maxRelatedSelectors = 50

// formatSelector writes labels as Kubernetes prints a selector: sorted
// "k=v" pairs joined by commas.
func formatSelector(sel map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(sel) {
		parts = append(parts, k+"="+sel[k])
	}
	return strings.Join(parts, ",")
}
