package lint

import (
	"fmt"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshfleet/meshfleet/internal/par"
)

// clusterDomain is the DNS suffix short service names resolve under.
const clusterDomain = "svc.cluster.local"

// workload is anything that runs pods or VM instances: the index resolves
// its labels once, Istio's way, so rules never re-derive them.
type workload struct {
	ref            int
	kind           string
	namespace      string
	name           string
	labels         map[string]string
	serviceAccount string
	// ports are WorkloadEntry/WorkloadGroup ports: port name → number.
	ports map[string]any
	// containerPorts are the pod template's containers' ports.
	containerPorts []any
	// address and network: WorkloadEntry spec.address and spec.network,
	// WorkloadGroup spec.template.network.
	address, network string
	// cls is the workload's class and shape the labels-less part of its
	// key (index_classes.go).
	cls   *class
	shape string
}

// workloadValue is w as Rego sees it in input.index.workloads: its own
// facts, its class's mTLS facts (securityValues) and those of addRefs
// (refValues), later ones replacing earlier ones of the same key.
func (ix *index) workloadValue(w *workload, sec map[*class]classSecurity) ast.Value {
	items := make([][2]*ast.Term, 0, 24)
	set := func(k string, v *ast.Term) {
		for i := range items {
			if string(items[i][0].Value.(ast.String)) == k {
				items[i][1] = v
				return
			}
		}
		items = append(items, [2]*ast.Term{stringTerm(k), v})
	}
	set("ref", ast.IntNumberTerm(w.ref))
	set("kind", stringTerm(w.kind))
	set("namespace", ast.StringTerm(w.namespace))
	set("name", ast.StringTerm(w.name))
	set("labels", ast.NewTerm(toAST(w.labels)))
	set("serviceAccount", ast.StringTerm(w.serviceAccount))
	if w.ports != nil {
		set("ports", ast.NewTerm(toAST(w.ports)))
	}
	if w.containerPorts != nil {
		set("containerPorts", ast.NewTerm(toAST(w.containerPorts)))
	}
	if w.kind == "WorkloadEntry" || w.kind == "WorkloadGroup" {
		set("address", ast.StringTerm(w.address))
		set("network", ast.StringTerm(w.network))
	}
	ix.securityValues(w, sec, set)
	ix.refValues(w, set)
	return ast.NewObject(items...)
}

// hostsValue is input.index.hosts, converted on workers goroutines.
func (ix *index) hostsValue(workers int) ast.Value {
	hs := make([]*host, 0, len(ix.hosts))
	for _, h := range ix.hosts {
		hs = append(hs, h)
	}
	items := make([][2]*ast.Term, len(hs))
	par.For(workers, len(hs), func(i int) {
		h := hs[i]
		subsets := make([][2]*ast.Term, 0, len(h.subsets))
		for n, refs := range h.subsets {
			subsets = append(subsets, [2]*ast.Term{ast.StringTerm(n), ast.NewTerm(toAST(refs))})
		}
		ints := func(l []int) *ast.Term { return ast.NewTerm(toAST(orEmptyInts(l))) }
		items[i] = [2]*ast.Term{ast.StringTerm(h.name), ast.ObjectTerm(
			[2]*ast.Term{stringTerm("namespace"), ast.StringTerm(h.namespace)},
			[2]*ast.Term{stringTerm("known"), ast.InternedTerm(h.known)},
			[2]*ast.Term{stringTerm("services"), ints(h.services)},
			[2]*ast.Term{stringTerm("serviceEntries"), ints(h.serviceEntries)},
			[2]*ast.Term{stringTerm("backends"), ast.NewTerm(toAST(h.backendsValue()))},
			[2]*ast.Term{stringTerm("backendsComplete"), ast.InternedTerm(h.providers > 0 && !h.open)},
			[2]*ast.Term{stringTerm("destinationRules"), ints(h.destinationRule)},
			[2]*ast.Term{stringTerm("subsets"), ast.ObjectTerm(subsets...)},
			[2]*ast.Term{stringTerm("virtualServices"), ints(h.virtualServices)},
			[2]*ast.Term{stringTerm("ports"), ast.NewTerm(toAST(orEmpty(h.ports)))},
		)}
	})
	return ast.NewObject(items...)
}

// workloadsValue is input.index.workloads, converted on workers
// goroutines.
func (ix *index) workloadsValue(workers int) ast.Value {
	sec := ix.classSecurityValues(workers)
	items := make([][2]*ast.Term, len(ix.workloads))
	par.For(workers, len(ix.workloads), func(i int) {
		w := ix.workloads[i]
		items[i] = [2]*ast.Term{ast.IntNumberTerm(w.ref), ast.NewTerm(ix.workloadValue(w, sec))}
	})
	return ast.NewObject(items...)
}

// host is what the index knows about one FQDN.
type host struct {
	name      string
	namespace string
	// known: the host is a cluster-local name in a namespace the input
	// holds, or a ServiceEntry declares it; only then may rules complain.
	known          bool
	services       []int
	serviceEntries []int
	// parts are the host's backends as added: selections and
	// ServiceEntry endpoints; backends() lists them.
	parts           []hostPart
	merged          []backend
	mergedDone      bool
	providers       int
	open            bool
	destinationRule []int
	subsets         map[string][]int
	virtualServices []int
	// ports are the ports the host's Services and ServiceEntries declare.
	ports []any
}

// backend is a class of workloads behind a host (ref: its first
// workload), or a ServiceEntry endpoint (ref: the entry's, cls nil).
// Backends are in the order their providers were added, and within one
// provider by ref, so the first backend of a class is where the host's
// first workload of that class sat when backends were listed one by one.
type backend struct {
	ref    int
	labels map[string]string
	cls    *class
}

// hostPart is one selection or one endpoint behind a host.
type hostPart struct {
	sel *selection
	ep  backend
}

func (h *host) addWorkloads(s *selection) {
	if s != nil && len(s.classes) > 0 {
		h.parts = append(h.parts, hostPart{sel: s})
	}
}

func (h *host) addEndpoint(b backend) {
	h.parts = append(h.parts, hostPart{ep: b})
}

// backends lists the host's backends once all are added. A host whose
// only provider is one selection shares that selection's list, so a
// thousand Services selecting the same thousand classes hold one list;
// otherwise classes are listed once each, in the order they came.
func (h *host) backends() []backend {
	if len(h.parts) == 1 && h.parts[0].sel != nil {
		return h.parts[0].sel.backends()
	}
	if !h.mergedDone {
		h.mergedDone = true
		seen := map[*class]bool{}
		seenSel := map[*selection]bool{}
		for _, p := range h.parts {
			if p.sel == nil {
				h.merged = append(h.merged, p.ep)
				continue
			}
			if seenSel[p.sel] {
				continue
			}
			seenSel[p.sel] = true
			for _, c := range p.sel.classes {
				if !seen[c] {
					seen[c] = true
					h.merged = append(h.merged, backend{c.rep().ref, c.labels, c})
				}
			}
		}
	}
	return h.merged
}

// backendsValue is backends as Rego sees it: [{ref, labels}].
func (h *host) backendsValue() any {
	if len(h.parts) == 1 && h.parts[0].sel != nil {
		return sharedBackends{h.parts[0].sel}
	}
	bs := h.backends()
	out := make([]any, 0, len(bs))
	for _, b := range bs {
		out = append(out, map[string]any{"ref": b.ref, "labels": b.labels})
	}
	return out
}

// indexKinds are the kinds whose objects newIndex reads beyond the
// workload facts derived at parse time.
var indexKinds = map[string]bool{
	"Namespace": true, "Service": true, "ServiceEntry": true, "DestinationRule": true,
	"VirtualService": true, "PeerAuthentication": true, "AuthorizationPolicy": true,
	"RequestAuthentication": true, "Telemetry": true, "Sidecar": true,
	"IstioOperator": true,                                         // index_install.go
	"Gateway":       true, "ConfigMap": true, "ProxyConfig": true, // index_analyzers.go
}

// objectKinds are the kinds whose whole objects rules may read across
// namespaces as input.index.objects[ref]: the targets of host, subset, mTLS
// and service-account references.
var objectKinds = map[string]bool{
	"Namespace": true, "ServiceAccount": true, "Service": true, "ServiceEntry": true,
	"DestinationRule": true, "VirtualService": true, "PeerAuthentication": true,
}

// index is everything rules look up across resources, built once in Go.
type index struct {
	// size is the number of resources; refs run from 0 to size-1.
	size        int
	root        string
	trustDomain string
	production  map[string]string
	namespaces  map[string]map[string]any
	workloads   []*workload
	byRef       map[int]*workload
	byNS        map[string][]*workload
	// classes group identical workloads; selections caches selector
	// matches (index_classes.go).
	classes  *classIndex
	hosts    map[string]*host
	seHosts  map[string]bool
	extras   map[int]map[string]any
	dests    map[string][]any
	pas      map[string][]any
	sas      map[string]map[string]any
	wildcard []*resource
	// controlPlane is input.index.controlPlane (index_install.go).
	controlPlane map[string]any
	// portDups are duplicate ports by namespace (index_ports.go).
	portDups map[string][]any
	// sec holds mTLS and authorization facts (index_security.go).
	sec *security
	// wlFacts are per-workload label facts, vsFacts route facts by
	// namespace (index_refs.go).
	wlFacts map[int]map[string]any
	vsFacts map[string][]any
	// pending, set only on the copies concurrently gives its stages, takes
	// their extra() writes.
	pending map[int]map[string]any
	// objs holds, by ref, the OPA values of objectKinds objects when rules
	// read input.index.objects; shard inputs reuse them.
	objs []ast.Value
}

func newIndex(rs []*resource, root, trustDomain string, production map[string]string) *index {
	ix := &index{
		size: len(rs), root: root, trustDomain: trustDomain, production: production,
		namespaces: map[string]map[string]any{},
		byRef:      map[int]*workload{},
		byNS:       map[string][]*workload{},
		hosts:      map[string]*host{},
		seHosts:    map[string]bool{},
		extras:     map[int]map[string]any{},
		dests:      map[string][]any{},
		pas:        map[string][]any{},
		sas:        map[string]map[string]any{},
	}
	// Classes need only the resources: group them while the loop below
	// collects namespaces and workloads.
	classes := make(chan *classIndex, 1)
	go func() { classes <- newClassIndex(rs) }()
	for _, r := range rs {
		if r.kind == "Namespace" && r.apiVersion == "v1" && r.name != "" {
			ns := ix.namespace(r.name)
			ns["declared"] = true
			ns["labels"] = stringMap(dig(r.obj, "metadata", "labels"))
		}
		if r.namespace != "" {
			ix.namespace(r.namespace)
		}
		if w := r.wl; w != nil {
			w.ref = r.ref
			ix.workloads = append(ix.workloads, w)
			ix.byRef[w.ref] = w
			ix.byNS[w.namespace] = append(ix.byNS[w.namespace], w)
		}
		if r.kind == "ServiceEntry" && r.group() == "networking.istio.io" && !schemaInvalid(r) {
			for _, h := range listOf(dig(r.obj, "spec", "hosts")) {
				if s := strings.ToLower(str(h)); s != "" {
					ix.seHosts[s] = true
				}
			}
		}
	}
	ix.classes = <-classes
	for _, r := range rs {
		ix.add(r)
		ix.objectFacts(r)
	}
	ix.ensureDestinationHosts()
	ix.applyWildcards()
	for _, h := range ix.hosts {
		h.known = h.namespace != "" && ix.namespaces[h.namespace] != nil || len(h.serviceEntries) > 0
		h.backends() // merged here, before the stages below read them concurrently
	}
	ix.subsetMatches(rs)
	ix.concurrently(
		func(c *index) { c.indexPorts(rs) },
		func(c *index) { c.indexSecurity(rs) },
		func(c *index) { c.addRefs(rs) },
	)
	return ix
}

// concurrently runs the index stages that only read what newIndex built
// before them (ports, security, references) on their own goroutines, each
// on a copy of ix whose extra() writes to a private overlay, then merges
// the overlays in stage order and takes each stage's own fields back. The
// stages write disjoint extra keys (servicePorts; authz, tlsSettings and
// the AuthorizationPolicy facts; shortHost, duplicateOf) and fields
// (portDups; sec; wlFacts, vsFacts, controlPlane), so the result is the serial one.
func (ix *index) concurrently(stages ...func(*index)) {
	copies := make([]*index, len(stages))
	var wg sync.WaitGroup
	for i, stage := range stages {
		c := *ix
		c.pending = map[int]map[string]any{}
		copies[i] = &c
		wg.Add(1)
		go func() {
			defer wg.Done()
			stage(copies[i])
		}()
	}
	wg.Wait()
	for _, c := range copies {
		if c.portDups != nil {
			ix.portDups = c.portDups
		}
		if c.sec != nil {
			ix.sec = c.sec
		}
		if c.wlFacts != nil {
			ix.wlFacts, ix.vsFacts = c.wlFacts, c.vsFacts
			ix.controlPlane = c.controlPlane
		}
		for ref, m := range c.pending {
			e := ix.extra(ref)
			for k, v := range m {
				e[k] = v
			}
		}
	}
}

func (ix *index) namespace(name string) map[string]any {
	ns := ix.namespaces[name]
	if ns == nil {
		ns = map[string]any{"declared": false, "labels": map[string]string{}}
		ix.namespaces[name] = ns
	}
	return ns
}

// fqdn resolves a host as written in a resource of namespace ns: "x" is
// x.<ns>.svc.cluster.local, "x.y" is x.y.svc.cluster.local (unless a
// ServiceEntry declares it literally), "x.y.svc" gains cluster.local, and
// anything else, wildcards included, stays as written.
func (ix *index) fqdn(h, ns string) string {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	if h == "" || strings.Contains(h, "*") || ix.seHosts[h] {
		return h
	}
	switch strings.Count(h, ".") {
	case 0:
		if ns == "" {
			return h
		}
		return h + "." + ns + "." + clusterDomain
	case 1:
		return h + "." + clusterDomain
	}
	if strings.HasSuffix(h, ".svc") {
		return h + ".cluster.local"
	}
	return h
}

func (ix *index) host(name string) *host {
	h := ix.hosts[name]
	if h == nil {
		h = &host{name: name, subsets: map[string][]int{}}
		if rest, ok := strings.CutSuffix(name, "."+clusterDomain); ok {
			if i := strings.IndexByte(rest, '.'); i > 0 && !strings.Contains(rest[i+1:], ".") {
				h.namespace = rest[i+1:]
			}
		}
		ix.hosts[name] = h
	}
	return h
}

// runtimeLabelPrefixes and runtimeLabels are labels that Kubernetes
// controllers and Istio put on pods and endpoints at run time (network,
// locality, pod names, template hashes): no manifest carries them, so a
// selector's requirement on one is taken as satisfied rather than reported.
var (
	runtimeLabelPrefixes = []string{
		"topology.istio.io/", "topology.kubernetes.io/", "security.istio.io/",
		"service.istio.io/", "statefulset.kubernetes.io/", "apps.kubernetes.io/",
		"batch.kubernetes.io/", "controller.kubernetes.io/", "failure-domain.beta.kubernetes.io/",
	}
	runtimeLabels = map[string]bool{
		"kubernetes.io/hostname": true, "pod-template-hash": true, "controller-revision-hash": true,
		"job-name": true, "controller-uid": true, "istio.io/rev": true,
	}
)

func runtimeLabel(k string) bool {
	if runtimeLabels[k] {
		return true
	}
	for _, p := range runtimeLabelPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// nonEmptyRuntimeLabels are the run-time labels Istio adds to a workload's
// labels only with a non-empty value (istio's labels.AugmentLabels: the
// locality from the node, the cluster ID, the node name, the network): a
// selector requiring one of them to be "" is not satisfied by Istio, only
// by a workload that declares the label empty itself.
var nonEmptyRuntimeLabels = map[string]bool{
	"topology.kubernetes.io/region": true, "topology.kubernetes.io/zone": true,
	"topology.istio.io/subzone": true, "topology.istio.io/cluster": true,
	"topology.istio.io/network": true, "kubernetes.io/hostname": true,
}

// declaredLabels drops run-time labels from a selector (see runtimeLabel),
// which match anything, except an empty value of a label Istio adds only
// non-empty (nonEmptyRuntimeLabels): that one is kept, so only a workload
// declaring it empty matches.
func declaredLabels(sel map[string]string) map[string]string {
	out := make(map[string]string, len(sel))
	for k, v := range sel {
		if !runtimeLabel(k) || v == "" && nonEmptyRuntimeLabels[k] {
			out[k] = v
		}
	}
	return out
}

// selectIn returns the classes of namespace ns whose labels carry every
// label of sel, cached by selector (index_classes.go). Run-time labels in
// sel match anything.
func (ix *index) selectIn(ns string, sel map[string]string) *selection {
	return ix.classes.selectIn(ns, sel)
}

// selectAll is selectIn over every namespace, in namespace order.
func (ix *index) selectAll(sel map[string]string) *selection {
	return ix.classes.selectAll(sel)
}

func matches(sel, labels map[string]string) bool {
	for k, v := range sel {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

func refsOf(ws []*workload) []int {
	out := make([]int, len(ws))
	for i, w := range ws {
		out[i] = w.ref
	}
	return out
}

func (ix *index) extra(ref int) map[string]any {
	if ix.pending != nil {
		// A concurrent stage: copy on first write, so its reads through
		// the map see what earlier stages recorded, and nothing is shared.
		e := ix.pending[ref]
		if e == nil {
			e = make(map[string]any, len(ix.extras[ref])+2)
			for k, v := range ix.extras[ref] {
				e[k] = v
			}
			ix.pending[ref] = e
		}
		return e
	}
	e := ix.extras[ref]
	if e == nil {
		e = map[string]any{}
		ix.extras[ref] = e
	}
	return e
}

// setSelector records a resource's selector and the workloads it selects:
// as Rego sees it, the first workload of each selected class, one value
// shared by every resource with the same selector in the namespace.
func (ix *index) setSelector(r *resource, sel map[string]string, s *selection) {
	e := ix.extra(r.ref)
	e["selector"] = sel
	e["selected"] = s
}

// selectionOf is what setSelector recorded for ref, nil without selector.
func (ix *index) selectionOf(ref int) *selection {
	s, _ := ix.extras[ref]["selected"].(*selection)
	return s
}

func (ix *index) add(r *resource) {
	spec := mapOf(r.obj["spec"])
	istio := strings.HasSuffix(r.group(), ".istio.io")
	switch {
	case r.kind == "Service" && r.apiVersion == "v1" && !schemaInvalid(r):
		h := ix.host(r.name + "." + r.namespace + "." + clusterDomain)
		ix.extra(r.ref)["host"] = h.name
		h.services = append(h.services, r.ref)
		h.providers++
		for _, p := range listOf(spec["ports"]) {
			pm := mapOf(p)
			h.ports = append(h.ports, map[string]any{
				"ref": r.ref, "name": str(pm["name"]), "port": pm["port"], "targetPort": pm["targetPort"],
				"protocol": str(pm["protocol"]), "appProtocol": str(pm["appProtocol"]),
			})
		}
		sel := stringMap(spec["selector"])
		if len(sel) == 0 || str(spec["type"]) == "ExternalName" {
			h.open = true
			return
		}
		ws := ix.selectIn(r.namespace, sel)
		ix.setSelector(r, sel, ws)
		h.addWorkloads(ws)
	case r.kind == "Service" && r.apiVersion == "v1" && schemaInvalid(r),
		r.kind == "ServiceEntry" && istio && schemaInvalid(r):
		// Rejected by the API server or istiod: it provides no host, but
		// its own facts stay and its selector is still checked.
		if r.kind == "Service" {
			ix.extra(r.ref)["host"] = r.name + "." + r.namespace + "." + clusterDomain
		} else {
			hs := []string{}
			for _, raw := range listOf(spec["hosts"]) {
				if name := ix.fqdn(str(raw), r.namespace); name != "" {
					hs = append(hs, name)
				}
			}
			ix.extra(r.ref)["hosts"] = hs
		}
		if sel := ix.ownSelector(r, spec); len(sel) > 0 {
			ix.setSelector(r, sel, ix.selectIn(r.namespace, sel))
		}
	case r.kind == "ServiceEntry" && istio:
		var hs []string
		sel := stringMap(dig(spec, "workloadSelector", "labels"))
		var ws *selection
		if len(sel) > 0 {
			ws = ix.selectIn(r.namespace, sel)
			ix.setSelector(r, sel, ws)
		}
		eps := listOf(spec["endpoints"])
		for _, raw := range listOf(spec["hosts"]) {
			name := ix.fqdn(str(raw), r.namespace)
			if name == "" {
				continue
			}
			hs = append(hs, name)
			h := ix.host(name)
			h.serviceEntries = append(h.serviceEntries, r.ref)
			h.providers++
			for _, p := range listOf(spec["ports"]) {
				pm := mapOf(p)
				h.ports = append(h.ports, map[string]any{
					"ref": r.ref, "name": str(pm["name"]), "port": pm["number"], "targetPort": pm["targetPort"],
					"protocol": str(pm["protocol"]), "appProtocol": "",
				})
			}
			if len(sel) == 0 && len(eps) == 0 {
				h.open = true
			}
			h.addWorkloads(ws)
			for _, ep := range eps {
				h.addEndpoint(backend{r.ref, stringMap(mapOf(ep)["labels"]), nil})
			}
		}
		ix.extra(r.ref)["hosts"] = hs
	case r.kind == "DestinationRule" && istio:
		name := ix.fqdn(str(spec["host"]), r.namespace)
		e := ix.extra(r.ref)
		e["host"] = name
		var subsets []any
		names := []string{}
		for i, s := range listOf(spec["subsets"]) {
			sm := mapOf(s)
			ls := stringMap(sm["labels"])
			subsets = append(subsets, map[string]any{"index": i, "name": str(sm["name"]), "labels": ls, "matchLabels": declaredLabels(ls)})
			names = append(names, str(sm["name"]))
		}
		e["subsets"] = orEmpty(subsets)
		if sel := stringMap(dig(spec, "workloadSelector", "matchLabels")); len(sel) > 0 {
			ix.setSelector(r, sel, ix.selectIn(r.namespace, sel))
		}
		if name == "" || schemaInvalid(r) {
			// An invalid rule is still checked itself, but defines no
			// subset for routes.
			return
		}
		if strings.Contains(name, "*") {
			ix.wildcard = append(ix.wildcard, r)
			return
		}
		h := ix.host(name)
		h.destinationRule = append(h.destinationRule, r.ref)
		for _, n := range names {
			h.subsets[n] = append(h.subsets[n], r.ref)
		}
	case r.kind == "VirtualService" && istio:
		var hs []string
		for _, raw := range listOf(spec["hosts"]) {
			name := ix.fqdn(str(raw), r.namespace)
			if name == "" {
				continue
			}
			hs = append(hs, name)
			if !strings.Contains(name, "*") {
				h := ix.host(name)
				h.virtualServices = append(h.virtualServices, r.ref)
			}
		}
		ix.extra(r.ref)["hosts"] = orEmptyStrings(hs)
		ix.flattenRoutes(r, spec)
	case (r.kind == "PeerAuthentication" || r.kind == "AuthorizationPolicy" || r.kind == "RequestAuthentication" || r.kind == "Telemetry") && istio:
		sel := stringMap(dig(spec, "selector", "matchLabels"))
		if len(sel) > 0 {
			var ws *selection
			if r.kind == "AuthorizationPolicy" && r.namespace == ix.root {
				ws = ix.selectAll(sel)
			} else {
				ws = ix.selectIn(r.namespace, sel)
			}
			ix.setSelector(r, sel, ws)
		}
		if r.kind == "PeerAuthentication" {
			pa := map[string]any{
				"ref": r.ref, "name": r.name, "namespace": r.namespace,
				"mode":          strings.ToUpper(str(dig(spec, "mtls", "mode"))),
				"portLevelMtls": orEmptyMap(mapOf(spec["portLevelMtls"])),
			}
			if len(sel) > 0 {
				pa["selector"] = sel
			}
			ix.pas[r.namespace] = append(ix.pas[r.namespace], pa)
		}
	case r.kind == "Sidecar" && istio:
		if sel := stringMap(dig(spec, "workloadSelector", "labels")); len(sel) > 0 {
			ix.setSelector(r, sel, ix.selectIn(r.namespace, sel))
		}
	case r.kind == "ServiceAccount" && r.apiVersion == "v1":
		if ix.sas[r.namespace] == nil {
			ix.sas[r.namespace] = map[string]any{}
		}
		ix.sas[r.namespace][r.name] = r.ref
	}
}

// subsetMatches marks each DestinationRule subset with selectsBackend:
// whether some backend of the rule's host (input.index.hosts[host]) carries
// every label of its matchLabels, so MF301 reads one boolean instead of
// matching every subset against every backend in Rego, and, for a subset
// that selects none, absent: the matchLabels labels no backend carries at
// all (MF301 names them). Backends are final once every resource is added;
// they are classes, so this costs per class, not per workload.
func (ix *index) subsetMatches(rs []*resource) {
	postings := map[*host]*backendPosting{}
	// routed holds, for host+"\x00"+subset, the namespaces of the routes
	// naming that subset: a subset that selects nothing fails the traffic
	// routed to it (an error) when the rule defining it applies there (its
	// exportTo), and is dead configuration when nothing routes there.
	routed := map[string]map[string]bool{}
	for ns, ds := range ix.dests {
		for _, d := range ds {
			dm := mapOf(d)
			if s := str(dm["subset"]); s != "" {
				k := str(dm["host"]) + "\x00" + s
				if routed[k] == nil {
					routed[k] = map[string]bool{}
				}
				routed[k][ns] = true
			}
		}
	}
	routedVia := func(r *resource, key string) bool {
		for _, ns := range sortedKeys(routed[key]) {
			if ruleVisibleIn(r, ns) {
				return true
			}
		}
		return false
	}
	for _, r := range rs {
		if r.kind != "DestinationRule" {
			continue
		}
		e := ix.extras[r.ref]
		subsets, _ := e["subsets"].([]any)
		if len(subsets) == 0 {
			continue
		}
		h := ix.hosts[str(e["host"])]
		var bp *backendPosting
		if h != nil {
			bp = postings[h]
			if bp == nil {
				bp = newBackendPosting(h.backends())
				postings[h] = bp
			}
		}
		for _, s := range subsets {
			sm := s.(map[string]any)
			sel, _ := sm["matchLabels"].(map[string]string)
			found := bp != nil && bp.any(sel)
			sm["selectsBackend"] = found
			if found || h == nil {
				continue
			}
			absent := map[string]string{}
			for k, v := range sel {
				if len(bp.lists[k+"="+v]) == 0 {
					absent[k] = v
				}
			}
			sm["absent"] = absent
			sm["routed"] = routedVia(r, str(e["host"])+"\x00"+str(sm["name"]))
		}
	}
}

// backendPosting indexes a host's backends by label, so a subset is
// matched against the backends carrying its rarest label only.
type backendPosting struct {
	all   []backend
	lists map[string][]int
}

func newBackendPosting(bs []backend) *backendPosting {
	bp := &backendPosting{all: bs, lists: map[string][]int{}}
	for i, b := range bs {
		for k, v := range b.labels {
			bp.lists[k+"="+v] = append(bp.lists[k+"="+v], i)
		}
	}
	return bp
}

// any reports whether some backend carries every label of sel.
func (bp *backendPosting) any(sel map[string]string) bool {
	if len(sel) == 0 {
		return len(bp.all) > 0
	}
	var best []int
	first := true
	for k, v := range sel {
		l := bp.lists[k+"="+v]
		if first || len(l) < len(best) {
			best, first = l, false
		}
	}
	for _, i := range best {
		if matches(sel, bp.all[i].labels) {
			return true
		}
	}
	return false
}

// objectFacts copies into the index the few fields rules read that the
// index does not otherwise derive (MF202 targetRef(s), MF404 probe, MF503
// portLevelMtls, MF603 spec keys), as written, so no shard has to convert
// whole objects and every object can be dropped once the index is built.
// A field is copied only when present, so Rego sees what it would see in
// the object: undefined when absent, the raw value otherwise.
func (ix *index) objectFacts(r *resource) {
	switch r.kind {
	case "AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication", "Telemetry", "Sidecar", "WorkloadGroup":
	default:
		return
	}
	rawSpec, hasSpec := r.obj["spec"]
	spec, isMap := rawSpec.(map[string]any)
	set := func(k string, v any) {
		ix.extra(r.ref)[k] = v
	}
	switch r.kind {
	case "WorkloadGroup":
		if t, ok := spec["template"].(map[string]any); ok {
			if v, ok := t["ports"]; ok {
				set("templatePorts", v)
			}
		}
		if v, ok := spec["probe"]; ok {
			set("probe", v)
		}
		return
	case "PeerAuthentication":
		if v, ok := spec["portLevelMtls"]; ok {
			set("portLevelMtls", v)
		}
	case "Sidecar":
		if spec["workloadSelector"] != nil {
			set("workloadSelectorWritten", true) // MF206: even empty, as istioctl reads it
		}
	case "AuthorizationPolicy":
		switch {
		case !hasSpec:
			set("specKeys", []string{})
		case isMap:
			set("specKeys", sortedKeys(spec))
		}
	}
	if v, ok := spec["targetRef"]; ok {
		set("targetRef", v)
	}
	if v, ok := spec["targetRefs"]; ok {
		set("targetRefs", v)
	}
}

// flattenRoutes lists every route destination of a VirtualService with its
// path, host resolved, so host and subset rules are a lookup each.
func (ix *index) flattenRoutes(r *resource, spec map[string]any) {
	gateways := orEmptyStrings(stringList(spec["gateways"]))
	add := func(kind, path string, d map[string]any, weight any) {
		if d == nil {
			return
		}
		raw := str(d["host"])
		dest := map[string]any{
			"ref": r.ref, "path": path, "protocol": kind, "rawHost": raw,
			"host": ix.fqdn(raw, r.namespace), "subset": str(d["subset"]),
			"port": dig(d, "port", "number"), "gateways": gateways,
		}
		if weight != nil {
			dest["weight"] = weight
		}
		ix.dests[r.namespace] = append(ix.dests[r.namespace], dest)
	}
	for _, kind := range []string{"http", "tcp", "tls"} {
		for i, rt := range listOf(spec[kind]) {
			rm := mapOf(rt)
			base := fmt.Sprintf("spec.%s[%d]", kind, i)
			for j, rd := range listOf(rm["route"]) {
				rdm := mapOf(rd)
				add(kind, fmt.Sprintf("%s.route[%d].destination", base, j), mapOf(rdm["destination"]), rdm["weight"])
			}
			if kind != "http" {
				continue
			}
			add(kind, base+".mirror", mapOf(rm["mirror"]), nil)
			for j, m := range listOf(rm["mirrors"]) {
				add(kind, fmt.Sprintf("%s.mirrors[%d].destination", base, j), mapOf(mapOf(m)["destination"]), nil)
			}
		}
	}
}

// applyWildcards adds the subsets of DestinationRules with a wildcard host
// to every host the wildcard covers, so a route is not reported for a subset
// such a rule defines.
func (ix *index) applyWildcards() {
	for _, r := range ix.wildcard {
		pattern := str(ix.extras[r.ref]["host"])
		suffix := strings.TrimPrefix(pattern, "*")
		for _, name := range sortedKeys(ix.hosts) {
			if pattern != "*" && !strings.HasSuffix(name, suffix) {
				continue
			}
			h := ix.hosts[name]
			h.destinationRule = append(h.destinationRule, r.ref)
			for _, s := range ix.extras[r.ref]["subsets"].([]any) {
				n := str(mapOf(s)["name"])
				h.subsets[n] = append(h.subsets[n], r.ref)
			}
		}
	}
}

// ensureDestinationHosts registers hosts that routes name, so rules can ask
// whether their namespace is known even when nothing declares them.
func (ix *index) ensureDestinationHosts() {
	for _, ds := range ix.dests {
		for _, d := range ds {
			if name := str(mapOf(d)["host"]); name != "" && !strings.Contains(name, "*") {
				ix.host(name)
			}
		}
	}
}

// convertObjects converts the objects of objectKinds to OPA values on
// workers goroutines, once: the index and the shard inputs share them.
func (ix *index) convertObjects(rs []*resource, workers int) ast.Value {
	ix.objs = make([]ast.Value, len(rs))
	var todo []*resource
	for _, r := range rs {
		if objectKinds[r.kind] && r.obj != nil {
			todo = append(todo, r)
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < max(workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(todo); i += max(workers, 1) {
				ix.objs[todo[i].ref] = toAST(todo[i].obj)
			}
		}()
	}
	wg.Wait()
	items := make([][2]*ast.Term, len(todo))
	for i, r := range todo {
		items[i] = [2]*ast.Term{ast.IntNumberTerm(r.ref), ast.NewTerm(ix.objs[r.ref])}
	}
	return ast.NewObject(items...)
}

// release drops what only building the index needed, once its value is
// converted: evaluation reads the extras, the destinations and the
// converted objects, and the rest would stay live through it.
func (ix *index) release(workers int) {
	size, extras, dests, objs := ix.size, ix.extras, ix.dests, ix.objs
	// Selections hold their classes and so every workload; evaluation
	// needs only their OPA values, converted on every core (each
	// selection once, whichever resource comes first).
	es := make([]map[string]any, 0, len(extras))
	for _, e := range extras {
		es = append(es, e)
	}
	par.For(workers, len(es), func(i int) {
		for _, k := range [...]string{"selected", "appliesTo"} {
			if s, ok := es[i][k].(*selection); ok {
				es[i][k] = s.value()
			}
		}
	})
	*ix = index{size: size, extras: extras, dests: dests, objs: objs}
}

// object is r's object as an OPA value, converted once.
func (ix *index) object(r *resource) ast.Value {
	if ix.objs != nil && ix.objs[r.ref] != nil {
		return ix.objs[r.ref]
	}
	return toAST(r.obj)
}

// value is the index as Rego sees it under input.index (policies/README.md).
func (ix *index) value(workers int) map[string]any {
	byNS := map[string]any{}
	// MF608 asks whether a workload of a namespace runs as an account.
	accounts := map[string]any{}
	for ns, l := range ix.byNS {
		byNS[ns] = refsOf(l)
		m := map[string]any{}
		for _, w := range l {
			if w.serviceAccount != "" {
				m[w.serviceAccount] = true
			}
		}
		accounts[ns] = m
	}
	// MF203 walks only the workloads lacking an app or version label,
	// not every workload of the namespace.
	missing := map[string]any{}
	for ns, l := range ix.byNS {
		var refs []int
		for _, w := range l {
			if m, _ := ix.wlFacts[w.ref]["missingLabels"].([]string); len(m) > 0 {
				refs = append(refs, w.ref)
			}
		}
		if refs != nil {
			missing[ns] = refs
		}
	}
	namespaces := map[string]any{}
	for n, v := range ix.namespaces {
		namespaces[n] = v
	}
	pas := map[string]any{}
	for n, l := range ix.pas {
		pas[n] = l
	}
	sas := map[string]any{}
	for n, m := range ix.sas {
		sas[n] = m
	}
	return map[string]any{
		"rootNamespace": ix.root, "trustDomain": ix.trustDomain,
		"productionLabel": orEmptyStringMap(ix.production),
		"namespaces":      namespaces, "workloads": ix.workloadsValue(workers), "workloadsByNamespace": byNS,
		"workloadsMissingLabels": missing,
		"hosts":                  ix.hostsValue(workers), "peerAuthentications": pas, "serviceAccounts": sas,
		"workloadServiceAccounts": accounts,
		"classes":                 ix.classes.classesValue(),
		"portDuplicates":          ix.portDuplicatesValue(),
		"virtualServices":         ix.virtualServicesValue(),
		"controlPlane":            orEmptyMap(ix.controlPlane),
	}
}

// workloadOf returns the workload r stands for, or nil. Unknown kinds count
// when they carry a pod template (spec.template.spec.containers), since
// operators' CRDs often do. It runs on the parse workers, so it also writes
// the part of the workload's class key that needs no other resource.
func workloadOf(r *resource) *workload {
	w := readWorkload(r)
	if w != nil {
		w.shape = string(classShape(r, w, nil))
	}
	return w
}

func readWorkload(r *resource) *workload {
	w := &workload{kind: r.kind, namespace: r.namespace, name: r.name}
	spec := mapOf(r.obj["spec"])
	istio := r.group() == "networking.istio.io"
	var pod map[string]any
	switch {
	case r.kind == "Pod" && r.apiVersion == "v1":
		w.labels = stringMap(dig(r.obj, "metadata", "labels"))
		pod = spec
	case r.kind == "CronJob" && r.group() == "batch":
		tmpl := mapOf(dig(spec, "jobTemplate", "spec", "template"))
		w.labels = stringMap(dig(tmpl, "metadata", "labels"))
		pod = mapOf(tmpl["spec"])
	case r.kind == "WorkloadEntry" && istio:
		w.labels = stringMap(spec["labels"])
		for k, v := range stringMap(dig(r.obj, "metadata", "labels")) {
			w.labels[k] = v
		}
		w.serviceAccount = str(spec["serviceAccount"])
		w.ports = orEmptyMap(mapOf(spec["ports"]))
		w.address, w.network = str(spec["address"]), str(spec["network"])
		return w
	case r.kind == "WorkloadGroup" && istio:
		w.labels = stringMap(dig(spec, "metadata", "labels"))
		w.serviceAccount = str(dig(spec, "template", "serviceAccount"))
		w.ports = orEmptyMap(mapOf(dig(spec, "template", "ports")))
		w.network = str(dig(spec, "template", "network"))
		return w
	default:
		tmpl := mapOf(spec["template"])
		pod = mapOf(tmpl["spec"])
		if pod == nil || listOf(pod["containers"]) == nil {
			return nil
		}
		w.labels = stringMap(dig(tmpl, "metadata", "labels"))
	}
	if pod == nil {
		pod = map[string]any{}
	}
	w.serviceAccount = str(pod["serviceAccountName"])
	if w.serviceAccount == "" {
		w.serviceAccount = "default"
	}
	w.containerPorts = []any{}
	for _, c := range listOf(pod["containers"]) {
		for _, p := range listOf(mapOf(c)["ports"]) {
			w.containerPorts = append(w.containerPorts, p)
		}
	}
	return w
}

// stringMap reads a label-like map, writing non-string scalars the way
// YAML shows them, so "version: 2" still matches a label "2".
func stringMap(v any) map[string]string {
	m := mapOf(v)
	out := make(map[string]string, len(m))
	for k, e := range m {
		switch x := e.(type) {
		case string:
			out[k] = x
		case nil:
			out[k] = ""
		default:
			out[k] = fmt.Sprint(x)
		}
	}
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

// The orEmpty helpers keep Rego from seeing null where a rule iterates.
func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func orEmptyStrings(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func orEmptyInts(l []int) []int {
	if l == nil {
		return []int{}
	}
	return l
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func orEmptyStringMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
