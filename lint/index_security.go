package lint

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshfleet/meshfleet/internal/par"
)

// The MF5xx and MF6xx rules need each workload's effective mTLS mode, per
// port, the way istiod composes PeerAuthentications, the ports a workload
// receives traffic on with the protocol its Services give them, the
// workloads an AuthorizationPolicy applies to, and, per DestinationRule TLS
// setting, the backends that setting sends to a STRICT server. All of it is
// resolved here once (DESIGN.md §6) and exposed as described in
// policies/README.md.
//
// PeerAuthentication precedence follows istiod's ComposePeerAuthentication
// (pilot/pkg/security/authn): the mesh policy is the oldest selector-less
// policy in the root namespace, the namespace policy the oldest
// selector-less one in the workload's namespace, the workload policy the
// oldest one with a matching selector in the workload's namespace; policies
// with a selector in the root namespace are ignored altogether. The mode
// starts PERMISSIVE and each level that is not UNSET overrides it, in mesh,
// namespace, workload order; portLevelMtls of the workload policy (only)
// overrides per port, UNSET there meaning the workload's mode. "Oldest" is
// istiod's order: metadata.creationTimestamp, then name. Manifests rarely
// carry a creationTimestamp; one without it counts as newer than one with
// it (it would be created when applied), and ties fall back to the name, as
// they do in istiod for policies created in the same second.

// mtlsSetting is where an effective mode comes from.
type mtlsSetting struct {
	mode string
	// level: "mesh", "namespace", "workload", "port", or "default" when no
	// policy sets it (Istio's PERMISSIVE).
	level string
	// pa is the PeerAuthentication setting the mode, nil for "default".
	pa   *resource
	path string
}

func (s mtlsSetting) value(rootKnown bool) map[string]any {
	m := map[string]any{"mode": s.mode, "level": s.level, "path": s.path, "known": s.pa != nil || rootKnown}
	if s.pa != nil {
		m["source"] = s.pa.ref
		m["by"] = fmt.Sprintf("PeerAuthentication %s/%s", s.pa.namespace, s.pa.name)
	} else {
		m["by"] = "Istio's default (no PeerAuthentication applies)"
	}
	return m
}

// workloadMTLS is a workload's effective mode and its per-port overrides.
type workloadMTLS struct {
	base  mtlsSetting
	ports map[int]mtlsSetting
}

// at is the effective mode on target port p.
func (m *workloadMTLS) at(p int) mtlsSetting {
	if s, ok := m.ports[p]; ok {
		return s
	}
	return m.base
}

// security holds the facts of this file for one run. Workloads of one
// class (index_classes.go) share every one of them.
type security struct {
	mtls map[*class]*workloadMTLS
	// listen maps class → target port → protocol class ("http", "tcp" or
	// "" when no Service states it).
	listen map[*class]map[int]string
	// noSidecar marks the classes outside the mesh (index_mesh.go): no
	// PeerAuthentication or AuthorizationPolicy reaches them.
	noSidecar map[*class]bool
	// texts caches, per class and text, the smallest text any member
	// gives (see minText).
	texts map[classText]string
	// applied holds the Service ports applied to listen, and stated
	// counts applications of ports stating a class (secServicePorts).
	applied map[secPortKey]int
	stated  int
	// authz caches AuthorizationPolicy facts (secAuthorization), ports
	// PeerAuthentication facts (secPortLevel), strict DestinationRule
	// TLS settings (secDestinationRule).
	authz  map[authzKey]map[string]any
	ports  map[*selection]map[string]any
	strict map[strictKey]strictHit
	// providers are the Services and ServiceEntries by ref.
	providers map[int]*resource
	rootKnown bool
}

type secPortKey struct {
	sel  *selection
	spec string
}

// strictKey is a DestinationRule TLS setting as far as strictOn reads it,
// for one host.
type strictKey struct {
	h            *host
	mode         string
	port         int
	subset, skip string
}

type strictHit struct {
	first map[string]any
	count int
}

type authzKey struct {
	sel      *selection
	complete bool
	rules    string
}

type classText struct {
	cls *class
	key string
}

// minText is the smallest of f(w) over c's members, cached under key: the
// first workload a message names, as Rego's sort would pick it.
func (sec *security) minText(c *class, key string, f func(w *workload) string) string {
	k := classText{c, key}
	if t, ok := sec.texts[k]; ok {
		return t
	}
	t := c.minText(f)
	sec.texts[k] = t
	return t
}

// paMode reads spec.mtls.mode, "UNSET" when absent.
func paMode(r *resource) string {
	m := strings.ToUpper(str(dig(r.obj, "spec", "mtls", "mode")))
	if m == "" {
		return "UNSET"
	}
	return m
}

// olderFirst sorts PeerAuthentications the way istiod does (see above).
func olderFirst(l []*resource) {
	stamp := func(r *resource) (time.Time, bool) {
		s := str(dig(r.obj, "metadata", "creationTimestamp"))
		t, err := time.Parse(time.RFC3339, s)
		return t, err == nil
	}
	sort.SliceStable(l, func(i, j int) bool {
		ti, oki := stamp(l[i])
		tj, okj := stamp(l[j])
		if oki != okj {
			return oki
		}
		if oki && !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return l[i].name < l[j].name
	})
}

// indexSecurity computes the facts above; newIndex calls it last.
func (ix *index) indexSecurity(rs []*resource) {
	sec := &security{
		mtls: map[*class]*workloadMTLS{}, listen: map[*class]map[int]string{}, providers: map[int]*resource{},
		noSidecar: map[*class]bool{}, texts: map[classText]string{}, applied: map[secPortKey]int{},
		authz: map[authzKey]map[string]any{}, ports: map[*selection]map[string]any{}, strict: map[strictKey]strictHit{},
	}
	sec.rootKnown = ix.namespaces[ix.root] != nil
	var mesh []*resource
	nsWide := map[string][]*resource{}
	selectorPAs := map[string][]*resource{}
	var services, entries, drs, aps, pas []*resource
	for _, r := range rs {
		if r.obj == nil {
			continue
		}
		if r.wl != nil && !r.wl.cls.mesh {
			sec.noSidecar[r.wl.cls] = true
		}
		switch {
		case r.kind == "PeerAuthentication" && r.group() == "security.istio.io":
			pas = append(pas, r)
			if len(stringMap(dig(r.obj, "spec", "selector", "matchLabels"))) > 0 {
				if r.namespace != ix.root {
					selectorPAs[r.namespace] = append(selectorPAs[r.namespace], r)
				}
			} else if r.namespace == ix.root {
				mesh = append(mesh, r)
			} else {
				nsWide[r.namespace] = append(nsWide[r.namespace], r)
			}
		case r.kind == "Service" && r.apiVersion == "v1":
			services = append(services, r)
			sec.providers[r.ref] = r
		case r.kind == "ServiceEntry" && r.group() == "networking.istio.io":
			entries = append(entries, r)
			sec.providers[r.ref] = r
		case r.kind == "DestinationRule" && r.group() == "networking.istio.io":
			drs = append(drs, r)
		case r.kind == "AuthorizationPolicy" && r.group() == "security.istio.io":
			aps = append(aps, r)
		}
	}
	olderFirst(mesh)
	for _, l := range nsWide {
		olderFirst(l)
	}
	for _, l := range selectorPAs {
		olderFirst(l)
	}
	// The oldest matching selector policy of each class: walk the
	// policies oldest first and keep the first that selects it.
	workloadPA := map[*class]*resource{}
	for ns, l := range selectorPAs {
		done := map[*selection]bool{}
		for _, r := range l {
			sel := ix.selectIn(ns, stringMap(dig(r.obj, "spec", "selector", "matchLabels")))
			if done[sel] {
				continue // an older policy took every class it selects
			}
			done[sel] = true
			for _, c := range sel.classes {
				if workloadPA[c] == nil {
					workloadPA[c] = r
				}
			}
		}
	}
	for _, c := range ix.classes.all {
		w := c.rep()
		m := &workloadMTLS{base: mtlsSetting{mode: "PERMISSIVE", level: "default"}}
		apply := func(r *resource, level string) {
			if mode := paMode(r); mode != "UNSET" {
				m.base = mtlsSetting{mode: mode, level: level, pa: r, path: "spec.mtls.mode"}
			}
		}
		if len(mesh) > 0 {
			apply(mesh[0], "mesh")
		}
		if l := nsWide[w.namespace]; len(l) > 0 {
			apply(l[0], "namespace")
		}
		if r := workloadPA[c]; r != nil {
			apply(r, "workload")
			for key, v := range mapOf(dig(r.obj, "spec", "portLevelMtls")) {
				p, err := strconv.Atoi(key)
				if err != nil {
					continue
				}
				if m.ports == nil {
					m.ports = map[int]mtlsSetting{}
				}
				mode := strings.ToUpper(str(mapOf(v)["mode"]))
				if mode == "" || mode == "UNSET" {
					m.ports[p] = m.base
				} else {
					m.ports[p] = mtlsSetting{mode: mode, level: "port", pa: r, path: "spec.portLevelMtls." + key + ".mode"}
				}
			}
		}
		sec.mtls[c] = m
		sec.listen[c] = declaredPorts(w)
	}
	for _, r := range services {
		ix.secServicePorts(sec, r, listOf(dig(r.obj, "spec", "ports")), "port", false)
	}
	for _, r := range entries {
		ix.secServicePorts(sec, r, listOf(dig(r.obj, "spec", "ports")), "number", true)
	}
	for _, r := range aps {
		ix.secAuthorization(sec, r)
	}
	for _, r := range drs {
		ix.secDestinationRule(sec, r)
	}
	for _, r := range pas {
		ix.secPortLevel(sec, r)
	}
	ix.sec = sec
}

// declaredPorts are the ports a workload says it listens on: WorkloadEntry
// and WorkloadGroup port numbers, container ports.
func declaredPorts(w *workload) map[int]string {
	out := map[int]string{}
	for _, v := range w.ports {
		if n, ok := secPort(v); ok {
			out[n] = ""
		}
	}
	for _, c := range w.containerPorts {
		if n, ok := secPort(mapOf(c)["containerPort"]); ok {
			out[n] = ""
		}
	}
	return out
}

// secServicePorts adds the target ports of a Service's (or a
// ServiceEntry's) ports to the workloads it selects, with the protocol
// class Istio gives them.
func (ix *index) secServicePorts(sec *security, r *resource, ports []any, numberKey string, entry bool) {
	sel := ix.selectionOf(r.ref)
	if sel == nil {
		return
	}
	for _, raw := range ports {
		p := mapOf(raw)
		number, ok := secPort(p[numberKey])
		if !ok {
			continue
		}
		class := secProtocolClass(str(p["name"]), str(p["appProtocol"]), str(p["protocol"]), entry)
		// A port written alike on the same selection lands on the same
		// targets with the same class: applying it again changes nothing
		// when its class is stated, and for "" only if some stated class
		// was applied since (it may turn that into "mixed").
		key := secPortKey{sel, string(canon(canon(canon(canon(nil, str(p["name"])), int64(number)), p["targetPort"]), class))}
		if gen, done := sec.applied[key]; done && (class != "" || gen == sec.stated) {
			continue
		}
		if class != "" {
			sec.stated++
		}
		sec.applied[key] = sec.stated
		for _, c := range sel.classes {
			target, ok := secTargetPort(c.rep(), str(p["name"]), number, p["targetPort"])
			if !ok {
				continue
			}
			l := sec.listen[c]
			if prev, seen := l[target]; seen && prev != "" && prev != class {
				l[target] = "mixed"
			} else if !seen || prev == "" {
				l[target] = class
			}
		}
	}
}

// secProtocolClass is "http" for the protocols whose requests an inbound
// sidecar parses (HTTP, HTTP/2, gRPC, gRPC-Web), "tcp" for those it only
// sees as a byte stream (TCP, TLS, HTTPS passed through, Mongo, MySQL,
// Redis), and "" when nothing declares it (Istio sniffs) or for UDP/SCTP,
// which the sidecar does not capture. appProtocol wins over the name's
// "<protocol>[-suffix]" prefix; a ServiceEntry port states it in protocol.
func secProtocolClass(name, appProtocol, protocol string, entry bool) string {
	p := appProtocol
	if entry {
		p = protocol
	} else if t := strings.ToUpper(protocol); t == "UDP" || t == "SCTP" {
		return ""
	}
	if p == "" {
		p = name
	}
	if l := strings.ToLower(p); l == "h2c" || l == "kubernetes.io/h2c" {
		return "http"
	}
	switch protocolClass(istioProtocol(p)) {
	case "HTTP/1.1", "HTTP/2":
		return "http"
	case "TLS", "TCP":
		return "tcp"
	}
	return ""
}

// secTargetPort is the port workload w receives a Service port's traffic
// on (DESIGN.md §4): a WorkloadEntry/WorkloadGroup map entry named like
// the Service port, else the numeric targetPort (or the port); a named
// targetPort must be a key of the map, or for pods a container port name.
func secTargetPort(w *workload, name string, number int, targetPort any) (int, bool) {
	if n, ok := secPort(w.ports[name]); ok && name != "" {
		return n, true
	}
	if targetPort == nil {
		return number, true
	}
	if n, ok := secPort(targetPort); ok {
		return n, true
	}
	tp := str(targetPort)
	if tp == "" {
		return number, true
	}
	if n, ok := secPort(w.ports[tp]); ok {
		return n, true
	}
	for _, c := range w.containerPorts {
		cm := mapOf(c)
		if str(cm["name"]) == tp {
			return secPort(cm["containerPort"])
		}
	}
	return 0, false
}

// secPort is portNumber for a port that must be positive.
func secPort(v any) (int, bool) {
	n, ok := portNumber(v)
	return n, ok && n > 0
}

// secAuthorization records the workloads an AuthorizationPolicy applies
// to (extra "appliesTo") and whether those are all it may apply to
// ("appliesComplete": false in the root namespace, whose policies reach
// namespaces the input may not hold), and the per-rule facts of extra
// "authz" (policies/README.md) that MF601, MF605 and MF607 read: in Rego
// they cost more than the rest of the policy's rules together. Policies
// bound with targetRef(s) apply to gateways or waypoints instead and get
// none of these.
func (ix *index) secAuthorization(sec *security, r *resource) {
	spec := mapOf(r.obj["spec"])
	e := ix.extra(r.ref)
	e["action"] = "ALLOW"
	if a := str(spec["action"]); a != "" {
		e["action"] = a
	}
	e["conditions"] = authzConditions(spec)
	rules := listOf(spec["rules"])
	empty := []int{}
	for i, raw := range rules {
		rule, ok := raw.(map[string]any)
		if ok && len(listOf(rule["from"])) == 0 && len(listOf(rule["to"])) == 0 && len(listOf(rule["when"])) == 0 {
			empty = append(empty, i)
		}
	}
	e["ruleCount"], e["emptyRules"] = len(rules), empty
	if spec["targetRef"] != nil || len(listOf(spec["targetRefs"])) > 0 {
		return
	}
	var sel *selection
	switch s, ok := e["selected"].(*selection); {
	case ok:
		sel = s
	case r.namespace == ix.root:
		sel = ix.selectAll(nil)
	default:
		sel = ix.selectIn(r.namespace, nil)
	}
	complete := r.namespace != ix.root
	e["appliesTo"] = sel
	e["appliesComplete"] = complete
	// Policies applying to the same workloads with rules on the same
	// ports share their facts: computed once, per class.
	buf := make([]byte, 0, 64)
	for _, raw := range rules {
		buf = append(buf, '[')
		for _, to := range listOf(mapOf(raw)["to"]) {
			buf = canon(buf, listOf(dig(to, "operation", "ports")))
		}
		buf = append(buf, ']')
	}
	key := authzKey{sel, complete, string(buf)}
	authz, done := sec.authz[key]
	if !done {
		authz = sec.authzFacts(sel, complete, rules)
		sec.authz[key] = authz
	}
	if authz != nil {
		e["authz"] = authz
	}
}

// authzFacts computes extra "authz" for a policy applying to sel with
// rules; nil when no workload of sel has a sidecar.
func (sec *security) authzFacts(sel *selection, complete bool, rules []any) map[string]any {
	var ws []*class
	n := 0
	for _, c := range sel.classes {
		if !sec.noSidecar[c] {
			ws = append(ws, c)
			n += len(c.members)
		}
	}
	if len(ws) == 0 {
		return nil
	}
	authz := map[string]any{}
	declared := complete
	union := map[string]bool{}
	first := ""
	for i, c := range ws {
		l := sec.listen[c]
		if len(l) == 0 {
			declared = false
		}
		for p := range l {
			union[strconv.Itoa(p)] = true
		}
		// MF607 names the first workload, by "Kind ns/name has <ports>".
		var nums string
		t := sec.minText(c, "ports", func(w *workload) string {
			if nums == "" {
				var ps []string
				for _, p := range sortedIntKeys(l) {
					ps = append(ps, strconv.Itoa(p))
				}
				nums = strings.Join(ps, ", ")
			}
			return w.kind + " " + w.namespace + "/" + w.name + " has " + nums
		})
		if i == 0 || t < first {
			first = t
		}
	}
	if declared {
		authz["listenPorts"] = sortedKeys(union)
	}
	authz["describe"] = map[string]any{"first": first, "count": n}
	facts := []any{}
	plaintextAny, tcpAny := false, false
	for _, raw := range rules {
		rule := mapOf(raw)
		ports, limited := rulePorts(rule)
		plain := sec.plaintext(ws, ports, limited)
		plaintextAny = plaintextAny || len(plain) > 0
		rv := map[string]any{"plaintext": plain}
		if complete {
			tcp := sec.tcpText(ws, n, ports, limited)
			tcpAny = tcpAny || tcp != ""
			rv["tcp"] = tcp
			tos := []any{}
			for _, to := range listOf(rule["to"]) {
				op := operationPorts(mapOf(to))
				tcp := sec.tcpText(ws, n, op, len(op) > 0)
				tcpAny = tcpAny || tcp != ""
				tos = append(tos, map[string]any{"tcp": tcp})
			}
			rv["to"] = tos
		}
		facts = append(facts, rv)
	}
	authz["rules"] = facts
	authz["plaintextAny"], authz["tcpAny"] = plaintextAny, tcpAny
	return authz
}

// authzConditions flattens an AuthorizationPolicy's rules by field name:
// {field: [{rule, path, values}]} for the source and operation fields (an
// operation's entries also carry to, its index), and "when": [{rule, path
// (of the key), key}] for conditions, so rules look up the fields they check
// instead of walking every rule.
func authzConditions(spec map[string]any) map[string]any {
	out := map[string][]any{}
	add := func(field string, c map[string]any) {
		out[field] = append(out[field], c)
	}
	for i, raw := range listOf(spec["rules"]) {
		rule := mapOf(raw)
		base := "spec.rules[" + strconv.Itoa(i) + "]"
		for j, from := range listOf(rule["from"]) {
			for field, v := range mapOf(dig(from, "source")) {
				if vs := listOf(v); len(vs) > 0 {
					add(field, map[string]any{"rule": i, "path": base + ".from[" + strconv.Itoa(j) + "].source." + field, "values": vs})
				}
			}
		}
		for j, to := range listOf(rule["to"]) {
			for field, v := range mapOf(dig(to, "operation")) {
				if vs := listOf(v); len(vs) > 0 {
					add(field, map[string]any{"rule": i, "to": j, "path": base + ".to[" + strconv.Itoa(j) + "].operation." + field, "values": vs})
				}
			}
		}
		for j, raw := range listOf(rule["when"]) {
			cond := mapOf(raw)
			key := str(cond["key"])
			if key == "" {
				continue
			}
			when := base + ".when[" + strconv.Itoa(j) + "]."
			add("when", map[string]any{"rule": i, "path": when + "key", "key": key})
			for _, field := range []string{"values", "notValues"} {
				if vs := listOf(cond[field]); len(vs) > 0 {
					add(field, map[string]any{"rule": i, "path": when + field, "values": vs, "key": key})
				}
			}
		}
	}
	m := make(map[string]any, len(out))
	for k, v := range out {
		m[k] = v
	}
	return m
}

// operationPorts are the ports of one to[].operation, as strings.
func operationPorts(to map[string]any) []string {
	var out []string
	for _, p := range listOf(dig(to, "operation", "ports")) {
		out = append(out, fmt.Sprint(p))
	}
	return out
}

// rulePorts are the ports a rule is limited to: those of its operations,
// when every operation names some.
func rulePorts(rule map[string]any) ([]string, bool) {
	tos := listOf(rule["to"])
	var out []string
	for _, to := range tos {
		op := operationPorts(mapOf(to))
		if len(op) == 0 {
			return nil, false
		}
		out = append(out, op...)
	}
	return out, len(out) > 0
}

// plaintext sums up, for the workloads of classes ws on the rule's ports
// (all when not limited), the settings that accept plaintext: per mode,
// {mode, first, count}, first being the smallest of the texts MF601
// quotes ("WorkloadEntry ns/name accepts plaintext (PERMISSIVE, by ...)")
// and count how many distinct texts there are. Modes only Istio's default
// sets count only when the root namespace is known.
func (sec *security) plaintext(ws []*class, ports []string, limited bool) []any {
	type agg struct {
		first string
		n     int
	}
	var byMode map[string]*agg
	add := func(mode, text string, n int) {
		if byMode == nil {
			byMode = map[string]*agg{}
		}
		a := byMode[mode]
		if a == nil {
			byMode[mode] = &agg{text, n}
			return
		}
		if text < a.first {
			a.first = text
		}
		a.n += n
	}
	// Texts of classes sharing a workload name with another class are
	// counted one by one, so a workload written twice counts once.
	var shared map[string]string
	for _, c := range ws {
		m := sec.mtls[c]
		if m == nil {
			continue
		}
		var sets []mtlsSetting
		if limited {
			for _, p := range ports {
				if n, ok := secPort(p); ok {
					sets = append(sets, m.at(n))
				}
			}
		} else {
			sets = append(sets, m.base)
			for _, p := range sortedIntKeys(m.ports) {
				sets = append(sets, m.ports[p])
			}
		}
		var seen map[string]bool
		for _, s := range sets {
			if (s.mode != "PERMISSIVE" && s.mode != "DISABLE") || (s.pa == nil && !sec.rootKnown) {
				continue
			}
			if seen == nil {
				seen = map[string]bool{}
			}
			port := ""
			if s.level == "port" {
				port = " on port " + strings.Split(s.path, ".")[2]
			}
			suffix := fmt.Sprintf("%s%s, by %s)", s.mode, port, s.value(true)["by"])
			if seen[suffix] {
				continue
			}
			seen[suffix] = true
			text := func(w *workload) string {
				return w.kind + " " + w.namespace + "/" + w.name + " accepts plaintext (" + suffix
			}
			if c.crossDup {
				if shared == nil {
					shared = map[string]string{}
				}
				for _, w := range c.members {
					shared[text(w)] = s.mode
				}
				continue
			}
			add(s.mode, sec.minText(c, "plaintext\x00"+suffix, text), c.names)
		}
	}
	for text, mode := range shared {
		add(mode, text, 1)
	}
	out := []any{}
	for _, mode := range sortedKeys(byMode) {
		out = append(out, map[string]any{"mode": mode, "first": byMode[mode].first, "count": byMode[mode].n})
	}
	return out
}

// tcpText says where the n workloads of classes ws receive only TCP:
// "port 5432 of WorkloadEntry data/db-1" for the given ports carrying TCP
// on every workload that listens on them, "every port of ..." when not
// limited and every declared port of every workload is TCP, else "".
func (sec *security) tcpText(ws []*class, n int, ports []string, limited bool) string {
	names := fmt.Sprintf("the %d workloads the policy applies to", n)
	if n == 1 {
		w := ws[0].rep()
		names = fmt.Sprintf("%s %s/%s", w.kind, w.namespace, w.name)
	}
	if !limited {
		for _, c := range ws {
			l := sec.listen[c]
			if len(l) == 0 {
				return ""
			}
			for _, c := range l {
				if c != "tcp" {
					return ""
				}
			}
		}
		return "every port of " + names
	}
	var found []string
	for _, p := range ports {
		n, ok := secPort(p)
		if !ok || slices.Contains(found, p) {
			continue
		}
		tcp := false
		for _, c := range ws {
			if c, ok := sec.listen[c][n]; ok {
				if c != "tcp" {
					tcp = false
					break
				}
				tcp = true
			}
		}
		if tcp {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return ""
	case 1:
		return "port " + found[0] + " of " + names
	}
	return "ports " + strings.Join(found, ", ") + " of " + names
}

func sortedIntKeys[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// tlsSetting is one tls block of a DestinationRule.
type tlsSetting struct {
	path   string
	mode   string
	port   int // Service port of a portLevelSettings entry, 0 for all
	subset map[string]string
	// except are the Service ports portLevelSettings give their own tls.
	except map[int]bool
}

// secDestinationRule lists the DestinationRule's tls settings (extra
// "tlsSettings") with, for each DISABLE or SIMPLE one (the modes a STRICT
// server rejects), the backends whose effective mTLS mode on the ports it
// covers is STRICT.
func (ix *index) secDestinationRule(sec *security, r *resource) {
	spec := mapOf(r.obj["spec"])
	var settings []tlsSetting
	collect := func(tp map[string]any, base string, subset map[string]string) {
		except := map[int]bool{}
		for i, raw := range listOf(tp["portLevelSettings"]) {
			pl := mapOf(raw)
			mode := str(dig(pl, "tls", "mode"))
			n, ok := secPort(dig(pl, "port", "number"))
			if mode == "" || !ok {
				continue
			}
			except[n] = true
			settings = append(settings, tlsSetting{
				path: fmt.Sprintf("%s.portLevelSettings[%d].tls.mode", base, i), mode: strings.ToUpper(mode), port: n, subset: subset,
			})
		}
		if mode := str(dig(tp, "tls", "mode")); mode != "" {
			settings = append(settings, tlsSetting{path: base + ".tls.mode", mode: strings.ToUpper(mode), subset: subset, except: except})
		}
	}
	collect(mapOf(spec["trafficPolicy"]), "spec.trafficPolicy", nil)
	for i, raw := range listOf(spec["subsets"]) {
		s := mapOf(raw)
		collect(mapOf(s["trafficPolicy"]), fmt.Sprintf("spec.subsets[%d].trafficPolicy", i), declaredLabels(stringMap(s["labels"])))
	}
	if len(settings) == 0 {
		return
	}
	h := ix.hosts[str(ix.extras[r.ref]["host"])]
	var ports []map[string]any
	if h != nil && slices.ContainsFunc(settings, func(s tlsSetting) bool { return s.mode == "DISABLE" || s.mode == "SIMPLE" }) {
		ports = sec.hostPorts(h)
	}
	out := make([]any, 0, len(settings))
	for _, s := range settings {
		// Backends are classes in the order their workloads were listed
		// (index.go), so the first hit names the first such workload.
		var first map[string]any
		count := 0
		var key strictKey
		if h != nil {
			var skip []any
			for _, p := range sortedIntKeys(s.except) {
				skip = append(skip, p)
			}
			var sub any
			if s.subset != nil {
				sub = s.subset
			}
			key = strictKey{h, s.mode, s.port, string(canon(nil, sub)), string(canon(nil, skip))}
		}
		if hit, done := sec.strict[key]; done && h != nil {
			first, count = hit.first, hit.count
		} else if h != nil && (s.mode == "DISABLE" || s.mode == "SIMPLE") {
			for _, b := range h.backends() {
				c := b.cls
				if c == nil || sec.noSidecar[c] || (s.subset != nil && !matches(s.subset, c.labels)) {
					continue
				}
				if hit := strictOn(sec.mtls[c], c.rep(), s, ports); hit != nil {
					if first == nil {
						first = hit
					}
					count += len(c.members)
				}
			}
			sec.strict[key] = strictHit{first, count}
		}
		v := map[string]any{"path": s.path, "mode": s.mode, "strictCount": count}
		if first != nil {
			v["strictFirst"] = first
		}
		if s.port != 0 {
			v["port"] = s.port
		}
		out = append(out, v)
	}
	ix.extra(r.ref)["tlsSettings"] = out
}

// hostPorts are the ports a host's Services and ServiceEntries declare:
// {port, name, targetPort}.
func (sec *security) hostPorts(h *host) []map[string]any {
	var out []map[string]any
	add := func(ref int, numberKey string) {
		r := sec.providers[ref]
		if r == nil || r.obj == nil {
			return
		}
		for _, raw := range listOf(dig(r.obj, "spec", "ports")) {
			p := mapOf(raw)
			if n, ok := secPort(p[numberKey]); ok {
				out = append(out, map[string]any{"port": n, "name": str(p["name"]), "targetPort": p["targetPort"]})
			}
		}
	}
	for _, ref := range h.services {
		add(ref, "port")
	}
	for _, ref := range h.serviceEntries {
		add(ref, "number")
	}
	return out
}

// strictOn returns {ref, kind, name, port, by} when workload w's effective
// mTLS mode is STRICT on a port setting s covers, else nil.
func strictOn(m *workloadMTLS, w *workload, s tlsSetting, ports []map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	hit := func(set mtlsSetting, port int) map[string]any {
		if set.mode != "STRICT" {
			return nil
		}
		v := map[string]any{"ref": w.ref, "kind": w.kind, "name": w.name, "namespace": w.namespace, "by": set.value(true)["by"]}
		if port != 0 {
			v["port"] = port
		}
		return v
	}
	if len(ports) == 0 {
		if s.port != 0 {
			return nil
		}
		return hit(m.base, 0)
	}
	for _, p := range ports {
		n := p["port"].(int)
		if (s.port != 0 && n != s.port) || s.except[n] {
			continue
		}
		target, ok := secTargetPort(w, str(p["name"]), n, p["targetPort"])
		set := m.base
		if ok {
			set = m.at(target)
		} else {
			target = 0
		}
		if v := hit(set, target); v != nil {
			return v
		}
	}
	return nil
}

// secPortLevel records, for a PeerAuthentication with a selector and
// portLevelMtls, what MF503 checks the ports against (extra
// "selectedPorts"): whether every selected workload declares some port
// (declared), the union of their ports, the first workload by "Kind
// ns/name has <ports>" and how many there are.
func (ix *index) secPortLevel(sec *security, r *resource) {
	sel := ix.selectionOf(r.ref)
	if sel == nil || len(mapOf(dig(r.obj, "spec", "portLevelMtls"))) == 0 {
		return
	}
	if v, done := sec.ports[sel]; done {
		ix.extra(r.ref)["selectedPorts"] = v
		return
	}
	declared := len(sel.classes) > 0
	ports := map[string]any{}
	first := ""
	for i, c := range sel.classes {
		l := sec.listen[c]
		if len(l) == 0 {
			declared = false
		}
		keys := make([]string, 0, len(l))
		for p := range l {
			keys = append(keys, strconv.Itoa(p))
			ports[strconv.Itoa(p)] = true
		}
		sort.Strings(keys)
		t := sec.minText(c, "portKeys", func(w *workload) string {
			return w.kind + " " + w.namespace + "/" + w.name + " has " + strings.Join(keys, ", ")
		})
		if i == 0 || t < first {
			first = t
		}
	}
	v := map[string]any{"declared": declared, "ports": ports, "first": first, "count": sel.count}
	sec.ports[sel] = v
	ix.extra(r.ref)["selectedPorts"] = v
}

// classSecurity is what securityValues adds to the workloads of one
// class, converted once for all of them.
type classSecurity struct {
	mtls, listen *ast.Term
}

// classSecurityValues converts, for each class with mTLS facts, its mtls
// {mode, level, source, path, by, known, ports {port: {...}}} and its
// listenPorts {port: "http"|"tcp"|"mixed"|""}, on workers goroutines:
// every workload of the class shares them.
func (ix *index) classSecurityValues(workers int) map[*class]classSecurity {
	if ix.sec == nil {
		return nil
	}
	classes := make([]*class, 0, len(ix.sec.mtls))
	for c, m := range ix.sec.mtls {
		if m != nil {
			classes = append(classes, c)
		}
	}
	vals := make([]classSecurity, len(classes))
	par.For(workers, len(classes), func(i int) {
		m := ix.sec.mtls[classes[i]]
		mtls := m.base.value(ix.sec.rootKnown)
		ports := map[string]any{}
		for p, s := range m.ports {
			ports[strconv.Itoa(p)] = s.value(ix.sec.rootKnown)
		}
		mtls["ports"] = ports
		listen := map[string]any{}
		for p, c := range ix.sec.listen[classes[i]] {
			listen[strconv.Itoa(p)] = c
		}
		vals[i] = classSecurity{ast.NewTerm(toAST(mtls)), ast.NewTerm(toAST(listen))}
	})
	out := make(map[*class]classSecurity, len(classes))
	for i, c := range classes {
		out[c] = vals[i]
	}
	return out
}

// securityValues adds to a workload's value (workloadValue) mesh, and
// mtls, listenPorts and sidecar when its class has mTLS facts.
func (ix *index) securityValues(w *workload, sec map[*class]classSecurity, set func(string, *ast.Term)) {
	if ix.sec == nil {
		return
	}
	if w.cls != nil {
		set("mesh", ast.InternedTerm(w.cls.mesh))
	}
	if v, ok := sec[w.cls]; ok {
		set("mtls", v.mtls)
		set("listenPorts", v.listen)
		set("sidecar", ast.InternedTerm(!ix.sec.noSidecar[w.cls]))
	}
}
