// Package mesh is meshfleet's behaviour model: what Istio does with one
// request, decided offline over the lint index (DESIGN.md §4, "Behaviour
// tests share the index"). Routing (VirtualServices, delegation, weights,
// direct responses, faults), destinations to workloads (Services,
// ServiceEntries, DestinationRule subsets), mTLS (effective
// PeerAuthentication, client TLS, auto-mTLS) and authorization (CUSTOM,
// DENY, ALLOW) read the facts the lint rules read, through lint.Model, so a
// rule and a test never disagree about what Istio does.
package mesh

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/meshfleet/meshfleet/lint"
)

// From is the caller of a request.
type From struct {
	// External: no sidecar, plaintext, no identity; kube-proxy routes it.
	External       bool
	Namespace      string
	ServiceAccount string
	// Labels are the caller's workload labels (sourceLabels matches,
	// workload-scoped DestinationRules).
	Labels map[string]string
	// Address is the caller's IP, for ipBlocks and source.ip conditions.
	Address string
}

// Request is what the caller sends.
type Request struct {
	Host string
	Port int
	// Method, Path and Headers make it an HTTP request; header names are
	// lower case.
	Method, Path string
	Headers      map[string]string
}

// http reports whether the request says anything only HTTP carries.
func (q Request) http() bool { return q.Method != "" || q.Path != "" || len(q.Headers) > 0 }

// Destination is one place a request is routed, with its share in percent.
type Destination struct {
	Host   string `json:"host"`
	Subset string `json:"subset,omitempty"`
	Port   int    `json:"port"`
	Weight int    `json:"weight"`
}

// Allowed is the authorization verdict: "true", "false" or "unknown".
type Allowed string

// The verdicts.
const (
	Yes     Allowed = "true"
	No      Allowed = "false"
	Unknown Allowed = "unknown"
)

// Step is one line of the decision trail explain prints.
type Step struct {
	// Topic groups steps: route, destinations, endpoints, mtls, authz.
	Topic string
	Text  string
	// at is the resource deciding (-1 none) and path its field: Where
	// resolves them to file:line only when a trail is printed, since that
	// re-reads the file.
	at   int
	path string
}

// Where is file:line of the resource or field deciding step s, "" when
// none.
func (md *Model) Where(s Step) string {
	if s.at < 0 {
		return ""
	}
	file, line := md.m.Position(s.at, s.path)
	if file == "" {
		return ""
	}
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// at names the resource (and field) deciding a step.
type at struct {
	ref  int
	path string
}

// none is a step no resource decides.
var none = at{ref: -1}

// Result is what the model decides for one request.
type Result struct {
	Allowed Allowed
	// Reason says why Allowed is not "true".
	Reason       string
	MTLS         bool
	Destinations []Destination
	Endpoints    []string
	// Status is a direct response, redirect, injected abort or 503 for no
	// healthy upstream; 0 when the request reaches a workload.
	Status int
	Trail  []Step
}

func (r *Result) step(topic string, where at, format string, args ...any) {
	r.Trail = append(r.Trail, Step{Topic: topic, Text: fmt.Sprintf(format, args...), at: where.ref, path: where.path})
}

// InputError is a request or caller naming something the input lacks.
type InputError struct {
	// Field is the test field at fault: from.namespace, request.host, ...
	Field string
	Msg   string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Msg }

// Model is the behaviour model over one loaded input.
type Model struct {
	m *lint.Model
	// policies are the AuthorizationPolicies by namespace, input order.
	policies map[string][]int
	// wildcardVS are the VirtualServices with a wildcard host, and their
	// hosts, matched when no VirtualService names the host literally.
	wildcardVS []wildcardVS
	// regexps caches compiled route regexes and path templates.
	mu      sync.Mutex
	regexps map[string]compiled
}

type wildcardVS struct {
	ref   int
	hosts []string
}

// New indexes what the model looks up per request, once per run.
func New(m *lint.Model) *Model {
	md := &Model{m: m, policies: map[string][]int{}, regexps: map[string]compiled{}}
	for _, ref := range m.RefsOfKind("AuthorizationPolicy") {
		if m.Invalid(ref) || !strings.HasPrefix(apiVersionOf(m.Object(ref)), "security.istio.io/") {
			continue
		}
		spec := mapOf(m.Object(ref)["spec"])
		if spec["targetRef"] != nil || spec["targetRefs"] != nil {
			continue // bound to a gateway or waypoint, not to sidecars
		}
		ns := m.Namespace(ref)
		md.policies[ns] = append(md.policies[ns], ref)
	}
	for _, ref := range m.RefsOfKind("VirtualService") {
		var hs []string
		for _, h := range listOf(dig(m.Object(ref), "spec", "hosts")) {
			if s := str(h); strings.Contains(s, "*") {
				hs = append(hs, strings.ToLower(s))
			}
		}
		if len(hs) > 0 {
			md.wildcardVS = append(md.wildcardVS, wildcardVS{ref, hs})
		}
	}
	return md
}

// Index is the lint model the behaviour model reads.
func (md *Model) Index() *lint.Model { return md.m }

func (md *Model) where(ref int, path string) at { return at{ref, path} }

// CheckFrom reports a caller naming what the input lacks.
func (md *Model) CheckFrom(f From) error {
	if f.External {
		return nil
	}
	if f.Namespace == "" {
		return &InputError{"from.namespace", "required for a caller inside the mesh (or set external: true)"}
	}
	if !md.m.NamespaceKnown(f.Namespace) {
		return &InputError{"from.namespace", fmt.Sprintf("namespace %q: the input holds nothing in it", f.Namespace)}
	}
	if f.ServiceAccount != "" && !md.m.ServiceAccountKnown(f.Namespace, f.ServiceAccount) {
		return &InputError{"from.serviceAccount", fmt.Sprintf("service account %q: namespace %s holds no ServiceAccount of that name and no workload runs as it", f.ServiceAccount, f.Namespace)}
	}
	return nil
}

// target is the host a request resolved to and the port it uses.
type target struct {
	fqdn  string
	host  lint.Host
	proto string // HTTP/1.1, HTTP/2, TLS, TCP, "" (sniffed)
	// visible: some Service or ServiceEntry of the host is visible from
	// the caller's namespace (exportTo).
	visible bool
}

func (t target) httpPort(q Request) bool {
	switch t.proto {
	case "HTTP/1.1", "HTTP/2":
		return true
	case "":
		return q.http() // sniffed: what the caller sends decides
	}
	return false
}

// Evaluate decides one request. An *InputError says the request names a
// host or port the input lacks.
func (md *Model) Evaluate(f From, q Request) (*Result, error) {
	if err := md.CheckFrom(f); err != nil {
		return nil, err
	}
	ns := f.Namespace
	if f.External {
		ns = ""
	}
	if q.Host == "" {
		return nil, &InputError{"request.host", "required"}
	}
	if q.Port <= 0 || q.Port > 65535 {
		return nil, &InputError{"request.port", "required: a port number from 1 to 65535"}
	}
	fqdn := md.m.FQDN(q.Host, ns)
	if f.External && !strings.Contains(q.Host, ".") {
		return nil, &InputError{"request.host", fmt.Sprintf("%q: an external caller has no namespace to resolve a short name in; write the host's FQDN", q.Host)}
	}
	h, ok := md.m.Host(fqdn)
	if !ok || len(h.Services)+len(h.ServiceEntries)+len(h.VirtualServices) == 0 && !md.wildcardServes(fqdn) {
		return nil, &InputError{"request.host", fmt.Sprintf("%s: the input has no Service, ServiceEntry or VirtualService for this host", fqdn)}
	}
	t := target{fqdn: fqdn, host: h}
	ports, found := []string{}, false
	for _, ref := range append(append([]int{}, h.Services...), h.ServiceEntries...) {
		if !f.External && md.m.VisibleIn(ref, f.Namespace) {
			t.visible = true
		}
		key := "port"
		if md.m.Kind(ref) == "ServiceEntry" {
			key = "number"
		}
		for _, p := range listOf(dig(md.m.Object(ref), "spec", "ports")) {
			pm := mapOf(p)
			n := intOf(pm[key])
			ports = append(ports, fmt.Sprint(n))
			if n == q.Port && !found {
				found = true
				t.proto = lint.ProtocolOf(str(pm["appProtocol"]))
				if t.proto == "" {
					t.proto = lint.ProtocolOf(str(pm["name"]))
				}
				// A Service's protocol field (TCP by default) says nothing
				// to Istio, which sniffs such a port.
				if t.proto == "" && md.m.Kind(ref) == "ServiceEntry" {
					t.proto = lint.ProtocolOf(str(pm["protocol"]))
				}
			}
		}
	}
	if len(h.Services)+len(h.ServiceEntries) > 0 && !found {
		sort.Strings(ports)
		return nil, &InputError{"request.port", fmt.Sprintf("%d is not a port of %s (its ports: %s)", q.Port, fqdn, strings.Join(dedup(ports), ", "))}
	}
	if len(h.Services)+len(h.ServiceEntries) == 0 {
		t.visible = !f.External
	}
	res := &Result{Allowed: Yes}
	if !f.External {
		if in, by := md.m.CallerInMesh(f.Namespace, f.ServiceAccount, f.Labels); !in {
			// A caller without a sidecar is routed like an external one,
			// and its requests carry no identity.
			res.step("route", none, "the caller has no sidecar (decided by %s): plaintext, no identity", by)
			f = From{External: true, Address: f.Address}
		}
	}
	if f.External || !t.visible {
		md.viaKubeProxy(f, q, t, res)
	} else {
		md.route(f, q, t, res)
	}
	return res, nil
}

func (md *Model) wildcardServes(fqdn string) bool {
	for _, w := range md.wildcardVS {
		for _, h := range w.hosts {
			if hostMatches(h, fqdn) {
				return true
			}
		}
	}
	return false
}

// hostMatches reports whether pattern ("*", "*.suffix" or a name) covers
// host.
func hostMatches(pattern, host string) bool {
	if pattern == "*" {
		return true
	}
	if s, ok := strings.CutPrefix(pattern, "*"); ok {
		return strings.HasSuffix(host, s)
	}
	return pattern == host
}

// viaKubeProxy is a caller without a sidecar (or one whose sidecar does not
// see the host): no VirtualService or DestinationRule applies, kube-proxy
// sends it to the Service's pods (it knows no WorkloadEntries), plaintext.
func (md *Model) viaKubeProxy(f From, q Request, t target, res *Result) {
	who := "an external caller (no sidecar)"
	if !f.External {
		who = "the caller's sidecar does not see the host (exportTo), so it passes the request through"
	}
	res.step("route", none, "%s: no VirtualService or DestinationRule applies; kube-proxy forwards to the Service's endpoints", who)
	res.Destinations = []Destination{{Host: t.fqdn, Port: q.Port, Weight: 100}}
	var eps []endpoint
	for _, ref := range t.host.Services {
		if md.m.Invalid(ref) {
			continue
		}
		for _, e := range md.serviceEndpoints(ref, q.Port) {
			if e.w.Kind == "WorkloadEntry" || e.w.Kind == "WorkloadGroup" {
				res.step("endpoints", md.where(e.w.Ref, ""), "%s/%s/%s skipped: kube-proxy knows pods, not WorkloadEntries", e.w.Kind, e.w.Namespace, e.w.Name)
				continue
			}
			eps = append(eps, e)
		}
	}
	md.reach(f, q, t, res, []routed{{dest: res.Destinations[0], eps: eps, tls: clientTLS{mode: "DISABLE", why: "no sidecar: plaintext", where: none}}})
}

// endpoint is a workload serving a host port, on its target port.
type endpoint struct {
	w    lint.Workload
	port int
	id   string
}

// serviceEndpoints lists the workloads a Service or ServiceEntry sends
// port to, each with the port it receives the traffic on.
func (md *Model) serviceEndpoints(ref, port int) []endpoint {
	obj := md.m.Object(ref)
	key := "port"
	if md.m.Kind(ref) == "ServiceEntry" {
		key = "number"
	}
	var name string
	var targetPort any
	found := false
	for _, p := range listOf(dig(obj, "spec", "ports")) {
		pm := mapOf(p)
		if intOf(pm[key]) == port {
			name, targetPort, found = str(pm["name"]), pm["targetPort"], true
			break
		}
	}
	if !found {
		return nil
	}
	ws, _ := md.m.Selected(ref)
	// A WorkloadGroup stands for the VMs that register themselves from
	// it; where WorkloadEntries are selected too, they are the VMs.
	entries := false
	for _, w := range ws {
		entries = entries || w.Kind == "WorkloadEntry"
	}
	var out []endpoint
	for _, w := range ws {
		if entries && w.Kind == "WorkloadGroup" {
			continue
		}
		tp, ok := w.TargetPort(name, port, targetPort)
		if !ok {
			continue // Istio drops an endpoint whose named port resolves to nothing
		}
		out = append(out, endpoint{w: w, port: tp, id: w.Kind + "/" + w.Namespace + "/" + w.Name})
	}
	return out
}

// routed is one destination of the route taken, its endpoints and the TLS
// the client uses towards it.
type routed struct {
	dest   Destination
	eps    []endpoint
	tls    clientTLS
	noHost bool
	// missing: the subset is defined by no DestinationRule the caller
	// sees (Istio has no cluster for it: 503).
	missing bool
	// entries are ServiceEntry endpoints (not workloads): reached as is.
	entries []string
}

// reach finishes a result: endpoints, mTLS and authorization per routed
// destination.
func (md *Model) reach(f From, q Request, t target, res *Result, rs []routed) {
	seen := map[string]bool{}
	reached := false
	mtlsAll, hops := true, 0
	verdicts := []Allowed{}
	reasons := []string{}
	for _, r := range rs {
		if r.dest.Weight == 0 {
			continue
		}
		if r.missing {
			res.step("destinations", none, "%s subset %q: no DestinationRule visible to the caller defines it; Istio has no cluster for it (503)", r.dest.Host, r.dest.Subset)
			continue
		}
		for _, id := range r.entries {
			reached = true
			if !seen[id] {
				seen[id] = true
				res.Endpoints = append(res.Endpoints, id)
			}
			res.step("endpoints", none, "%s: ServiceEntry endpoints, outside the authorization of this mesh", id)
		}
		if len(r.eps) == 0 && len(r.entries) == 0 {
			res.step("endpoints", none, "%s: no endpoint serves it (503, no healthy upstream)", destText(r.dest))
			continue
		}
		for _, e := range r.eps {
			reached = true
			if !seen[e.id] {
				seen[e.id] = true
				res.Endpoints = append(res.Endpoints, e.id)
			}
			hop := md.hop(f, q, t, r.tls, e, res)
			hops++
			if !hop.mtls {
				mtlsAll = false
			}
			verdicts = append(verdicts, hop.allowed)
			if hop.allowed != Yes {
				reasons = append(reasons, e.id+": "+hop.reason)
			}
		}
	}
	sort.Strings(res.Endpoints)
	res.MTLS = mtlsAll && hops > 0
	switch {
	case !reached:
		if res.Status == 0 {
			res.Status = 503
		}
		res.Allowed, res.Reason = No, "no endpoint serves the request (503)"
	default:
		res.Allowed = Yes
		for _, v := range verdicts {
			if v == No {
				res.Allowed = No
			}
		}
		if res.Allowed != No {
			for _, v := range verdicts {
				if v == Unknown {
					res.Allowed = Unknown
				}
			}
		}
		res.Reason = strings.Join(dedup(reasons), "; ")
	}
}

func destText(d Destination) string {
	s := d.Host
	if d.Subset != "" {
		s += " subset " + d.Subset
	}
	if d.Port != 0 {
		s += fmt.Sprintf(" port %d", d.Port)
	}
	return s
}

// hopResult is one client → server hop.
type hopResult struct {
	mtls    bool
	allowed Allowed
	reason  string
}

// hop decides mTLS and authorization between the caller and one endpoint.
func (md *Model) hop(f From, q Request, t target, tls clientTLS, e endpoint, res *Result) hopResult {
	id := e.id
	if !e.w.InMesh {
		res.step("mtls", md.where(e.w.Ref, ""), "%s has no sidecar: it receives plaintext and no AuthorizationPolicy applies", id)
		if tls.mode == "ISTIO_MUTUAL" && tls.explicit {
			return hopResult{allowed: No, reason: "the client's DestinationRule sends Istio mTLS to a workload without a sidecar; the handshake fails"}
		}
		return hopResult{allowed: Yes}
	}
	server := md.m.MTLS(e.w, e.port)
	src := "Istio's default (no PeerAuthentication applies)"
	where := none
	if server.Source >= 0 {
		src = fmt.Sprintf("PeerAuthentication %s/%s (%s level)", md.m.Namespace(server.Source), md.m.Name(server.Source), server.Level)
		where = md.where(server.Source, server.Path)
	}
	res.step("mtls", where, "%s port %d: server mode %s, from %s", id, e.port, server.Mode, src)
	mode := tls.mode
	if mode == "" {
		// Auto mTLS (istio.io "Mutual TLS Migration", auto mutual TLS): the
		// client sidecar sends Istio mTLS to endpoints with a sidecar
		// unless the server's PeerAuthentication mode is DISABLE.
		if server.Mode == "DISABLE" {
			mode = "DISABLE"
			res.step("mtls", none, "client: auto mTLS sends plaintext, the server's mode is DISABLE")
		} else {
			mode = "ISTIO_MUTUAL"
			res.step("mtls", none, "client: auto mTLS sends Istio mTLS to a workload with a sidecar")
		}
	} else {
		res.step("mtls", tls.where, "client: %s", tls.why)
	}
	mtls := mode == "ISTIO_MUTUAL"
	switch {
	case mtls && server.Mode == "DISABLE":
		return hopResult{allowed: No, reason: "the client sends Istio mTLS but the server's mode is DISABLE; the connection fails"}
	case !mtls && server.Mode == "STRICT":
		return hopResult{allowed: No, reason: fmt.Sprintf("STRICT mTLS on port %d refuses the %s request (%s)", e.port, plainName(mode), src)}
	}
	id2 := identity{}
	if mtls && !f.External {
		id2 = identity{ok: true, namespace: f.Namespace, principal: md.m.TrustDomain() + "/ns/" + f.Namespace + "/sa/" + saOr(f.ServiceAccount)}
	}
	a, reason := md.authorize(f, q, t, e, id2, res)
	if a != Yes {
		res.step("authz", none, "%s: %s", e.id, verdictWord(a))
	}
	return hopResult{mtls: mtls, allowed: a, reason: reason}
}

func plainName(mode string) string {
	if mode == "SIMPLE" || mode == "MUTUAL" {
		return "TLS (" + mode + ", not Istio mTLS)"
	}
	return "plaintext"
}

func saOr(sa string) string {
	if sa == "" {
		return "default"
	}
	return sa
}

func dedup(l []string) []string {
	seen := map[string]bool{}
	out := l[:0:0]
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func apiVersionOf(obj map[string]any) string { return str(obj["apiVersion"]) }

func str(v any) string {
	s, _ := v.(string)
	return s
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// intOf reads a YAML integer (or digits), 0 otherwise.
func intOf(v any) int {
	switch x := v.(type) {
	case int64:
		return int(x)
	case int:
		return x
	case uint64:
		return int(x)
	case float64:
		if x == float64(int(x)) {
			return int(x)
		}
	case string:
		n := 0
		for _, c := range x {
			if c < '0' || c > '9' || n > 1<<20 {
				return 0
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	return 0
}

func verdictWord(a Allowed) string {
	switch a {
	case Yes:
		return "allowed"
	case No:
		return "denied"
	}
	return "unknown offline"
}
