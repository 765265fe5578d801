package render

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/par"
)

// Labels and annotations meshfleet puts on every rendered object. The fleet
// annotation names the VMFleet but no file or line, so output bytes do not
// change when comments move and are the same from the CLI and the KRM
// function.
const (
	ManagedByLabel  = "app.kubernetes.io/managed-by"
	ManagedByValue  = "meshfleet"
	FleetAnnotation = "meshfleet.dev/fleet"
)

// KindOrder is the order kinds are written in: identities first, then the
// Service and the policies guarding it, then traffic rules, then the
// workloads, so a plain `kubectl apply` creates what others refer to first.
var KindOrder = []string{
	"ServiceAccount",
	"Service",
	"PeerAuthentication",
	"AuthorizationPolicy",
	"DestinationRule",
	"VirtualService",
	"WorkloadGroup",
	"WorkloadEntry",
}

func kindRank(kind string) int {
	for i, k := range KindOrder {
		if k == kind {
			return i
		}
	}
	return len(KindOrder)
}

type obj = map[string]any

// renderFleets renders fleets; with docs set it also returns each
// resource's document, as marshal([]*Resource{r}) writes it.
func renderFleets(fleets []*Fleet, opts Options, docs bool) ([]*Resource, [][]byte, []*manifest.Error) {
	netAV, secAV, err := apiVersions(opts.IstioVersion)
	if err != nil {
		return nil, nil, []*manifest.Error{{File: "--istio-version", Msg: err.Error()}}
	}
	// Fleets are expanded in a canonical order so the fleet named first in
	// a duplicate error does not depend on the order of the input.
	sorted := make([]*Fleet, 0, len(fleets))
	for _, f := range fleets {
		if f != nil && f.Spec != nil {
			sorted = append(sorted, f)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return fleetLess(sorted[i], sorted[j]) })

	expanded := expandAll(sorted, netAV, secAV, docs)

	total := 0
	for _, rs := range expanded {
		total += len(rs)
	}
	out := make([]sortable, 0, total)
	var errs []*manifest.Error
	type id struct{ kind, namespace, name string }
	seen := make(map[id]*Resource, total)
	for _, rs := range expanded {
		for _, key := range rs {
			k := id{key.kind, key.namespace, key.name}
			if prev, dup := seen[k]; dup {
				errs = append(errs, duplicateError(prev, key.r))
				continue
			}
			seen[k] = key.r
			out = append(out, key)
		}
	}
	if len(errs) > 0 {
		return nil, nil, sortErrors(errs)
	}
	slices.SortFunc(out, func(a, b sortable) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if c := strings.Compare(a.namespace, b.namespace); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	rs := make([]*Resource, len(out))
	for i := range out {
		rs[i] = out[i].r
	}
	if !docs {
		return rs, nil, nil
	}
	ds := make([][]byte, len(out))
	for i := range out {
		ds[i] = out[i].doc
	}
	return rs, ds, nil
}

// sortable carries a resource's identity and sort key, read from its maps
// once, on the expansion workers, rather than on every comparison.
type sortable struct {
	rank                  int
	kind, namespace, name string
	r                     *Resource
	doc                   []byte // its document, when asked for
}

// expandAll expands fleets on GOMAXPROCS workers, each resource with its
// sort key, and with docs set its document: written right after the
// expansion, while the objects are still in the processor's caches, an
// emitter per chunk remembering the shapes it meets. Results keep the
// order of fleets, so the output does not depend on scheduling.
func expandAll(fleets []*Fleet, netAV, secAV string, docs bool) [][]sortable {
	out := make([][]sortable, len(fleets))
	expand := func(lo, hi int) {
		var e *emitter
		if docs {
			e = &emitter{}
		}
		for i := lo; i < hi; i++ {
			b := &builder{f: fleets[i], s: &fleets[i].Spec.Spec, netAV: netAV, secAV: secAV}
			b.expand()
			keys := make([]sortable, len(b.out))
			for j, r := range b.out {
				kind := r.kind()
				keys[j] = sortable{rank: kindRank(kind), kind: kind, namespace: r.namespace(), name: r.name(), r: r}
				if e != nil {
					keys[j].doc = e.document(r.Object)
				}
			}
			out[i] = keys
		}
	}
	// Chunks of fleets, taken by whichever worker is free: on a busy
	// machine a worker that is not scheduled holds up little.
	const chunk = 32
	par.For(0, (len(fleets)+chunk-1)/chunk, func(i int) {
		expand(i*chunk, min((i+1)*chunk, len(fleets)))
	})
	return out
}

func fleetLess(a, b *Fleet) bool {
	am, bm := a.Spec.Metadata, b.Spec.Metadata
	if am.Namespace != bm.Namespace {
		return am.Namespace < bm.Namespace
	}
	if am.Name != bm.Name {
		return am.Name < bm.Name
	}
	if a.Doc.File != b.Doc.File {
		return a.Doc.File < b.Doc.File
	}
	return a.Doc.Index < b.Doc.Index
}

func (r *Resource) meta() obj {
	m, _ := r.Object["metadata"].(obj)
	return m
}

func (r *Resource) kind() string      { s, _ := r.Object["kind"].(string); return s }
func (r *Resource) name() string      { s, _ := r.meta()["name"].(string); return s }
func (r *Resource) namespace() string { s, _ := r.meta()["namespace"].(string); return s }

// duplicateError names both fleets, positioned at the second one's name.
func duplicateError(first, second *Resource) *manifest.Error {
	pos := func(f *Fleet) string {
		n, _ := manifest.Find(f.Doc.Node, "metadata.name")
		return fmt.Sprintf("%s:%d:%d", f.Doc.File, n.Line, n.Column)
	}
	fix := "rename one of the fleets"
	switch second.kind() {
	case "ServiceAccount":
		fix = "set createServiceAccount: false on all but one of them"
	case "Service", "PeerAuthentication", "AuthorizationPolicy", "DestinationRule", "VirtualService":
		fix = "set createService: false on all but one of them"
	}
	a, b := first.Fleet.Spec.Metadata, second.Fleet.Spec.Metadata
	n, _ := manifest.Find(second.Fleet.Doc.Node, "metadata.name")
	return manifest.Errorf(second.Fleet.Doc.File, n, "metadata.name",
		"%s %s/%s is rendered by both VMFleet %s/%s (%s) and VMFleet %s/%s (%s): %s",
		second.kind(), second.namespace(), second.name(),
		a.Namespace, a.Name, pos(first.Fleet), b.Namespace, b.Name, pos(second.Fleet), fix)
}

// builder expands one fleet.
type builder struct {
	f            *Fleet
	ref          string // fleetRef, once made
	s            *Spec
	netAV, secAV string
	out          []*Resource
	// present caches which VMFleet paths the document writes.
	present map[string]bool
}

// newResource starts an object with the metadata every rendered object
// carries; origins start with the object's root mapped to root.
func (b *builder) newResource(apiVersion, kind, name string, root string) (*Resource, obj) {
	md := b.f.Spec.Metadata
	meta := obj{
		"name":        name,
		"namespace":   md.Namespace,
		"labels":      obj{ManagedByLabel: ManagedByValue},
		"annotations": obj{FleetAnnotation: b.fleetRef()},
	}
	o := obj{"apiVersion": apiVersion, "kind": kind, "metadata": meta}
	origins := make([]Origin, 3, 16)
	origins[0] = Origin{"", root}
	// The object's own metadata comes from the fleet's unless a builder
	// says otherwise (names derived from spec.app, entries from a vm).
	origins[1] = Origin{"metadata", "metadata"}
	origins[2] = Origin{"metadata.namespace", "metadata.namespace"}
	r := &Resource{Object: o, Fleet: b.f, Origins: origins}
	b.out = append(b.out, r)
	return r, o
}

// fleetRef is namespace/name of the fleet, the value of FleetAnnotation on
// everything it renders; made once per fleet.
func (b *builder) fleetRef() string {
	if b.ref == "" {
		md := b.f.Spec.Metadata
		b.ref = md.Namespace + "/" + md.Name
	}
	return b.ref
}

// has reports whether the VMFleet document writes path, so origins point at
// written fields rather than defaulted ones.
func (b *builder) has(path string) bool {
	if ok, cached := b.present[path]; cached {
		return ok
	}
	_, ok := manifest.Find(b.f.Doc.Node, path)
	if b.present == nil {
		b.present = map[string]bool{}
	}
	b.present[path] = ok
	return ok
}

func (b *builder) fqdn() string {
	return b.s.App + "." + b.f.Spec.Metadata.Namespace + ".svc.cluster.local"
}

func (b *builder) expand() {
	s := b.s
	if s.CreateServiceAccount {
		b.serviceAccount()
	}
	if s.CreateService {
		b.service()
		b.peerAuthentication()
		if s.Allow != nil {
			b.authorizationPolicy("allow", "ALLOW", s.Allow)
		}
		if s.Deny != nil {
			b.authorizationPolicy("deny", "DENY", s.Deny)
		}
		b.destinationRule()
		if s.Traffic != nil && len(s.Traffic.Routes) > 0 {
			b.virtualService()
		}
	}
	b.workloadGroup()
	for i := range s.VMs {
		b.workloadEntry(i)
	}
}

func (b *builder) serviceAccount() {
	r, _ := b.newResource("v1", "ServiceAccount", b.s.ServiceAccount, b.appOrigin("spec.serviceAccount"))
	r.setOrigin("metadata", b.appOrigin("spec.serviceAccount"))
}

// appOrigin is path when written, else spec.app when written, else the
// fleet's name: where a defaulted name comes from.
func (b *builder) appOrigin(path string) string {
	switch {
	case b.has(path):
		return path
	case b.has("spec.app"):
		return "spec.app"
	}
	return "metadata.name"
}

func (b *builder) selector() obj { return obj{"app": b.s.App} }

func (b *builder) service() {
	r, o := b.newResource("v1", "Service", b.s.App, "spec.ports")
	r.setOrigin("metadata", b.appOrigin("spec.app"))
	r.setOrigin("spec.selector", b.appOrigin("spec.app"))
	var ports []any
	for i, p := range b.s.Ports {
		if !p.Service {
			continue
		}
		proto := "TCP"
		if eff, _ := p.EffectiveProtocol(); eff == ProtoUDP {
			proto = "UDP"
		}
		sp := obj{"name": p.Name, "port": int64(p.Port), "targetPort": int64(p.Port), "protocol": proto}
		if ap := p.appProtocol(); ap != "" {
			sp["appProtocol"] = ap
		}
		fp := manifest.AppendIndex("spec.ports", i)
		rp := manifest.AppendIndex("spec.ports", len(ports))
		r.setOrigin(rp, fp)
		r.setOrigin(rp+".targetPort", fp+".port")
		r.setOrigin(rp+".appProtocol", fp+".protocol")
		if p.Protocol != "" {
			r.setOrigin(rp+".protocol", fp+".protocol")
		} else {
			r.setOrigin(rp+".protocol", fp+".name")
		}
		ports = append(ports, sp)
	}
	o["spec"] = obj{"selector": b.selector(), "ports": ports}
}

func (b *builder) peerAuthentication() {
	r, o := b.newResource(b.secAV, "PeerAuthentication", b.f.Spec.Metadata.Name, "spec.mtls")
	r.setOrigin("spec.selector", b.appOrigin("spec.app"))
	o["spec"] = obj{
		"selector": obj{"matchLabels": b.selector()},
		"mtls":     obj{"mode": string(b.s.MTLS)},
	}
}

func (b *builder) authorizationPolicy(suffix, action string, rules []Rule) {
	fleetPath := "spec." + suffix
	r, o := b.newResource(b.secAV, "AuthorizationPolicy", b.f.Spec.Metadata.Name+"-"+suffix, fleetPath)
	r.setOrigin("spec.selector", b.appOrigin("spec.app"))
	spec := obj{"selector": obj{"matchLabels": b.selector()}, "action": action}
	if len(rules) > 0 {
		out := make([]any, len(rules))
		for i, rule := range rules {
			out[i] = b.rule(r, manifest.AppendIndex("spec.rules", i), manifest.AppendIndex(fleetPath, i), rule)
		}
		spec["rules"] = out
	}
	o["spec"] = spec
}

// rule renders one compact rule as Istio's {from: [{source}], to:
// [{operation}], when}.
func (b *builder) rule(r *Resource, rp, fp string, rule Rule) obj {
	r.setOrigin(rp, fp)
	out := obj{}
	if src := rule.From; !src.empty() {
		sp := rp + ".from[0].source"
		ff := fp + ".from"
		r.setOrigin(rp+".from", ff)
		r.setOrigin(sp, ff)
		source := obj{}
		b.principals(r, source, "principals", sp, ff, "serviceAccounts", src.ServiceAccounts, "principals", src.Principals)
		b.principals(r, source, "notPrincipals", sp, ff, "notServiceAccounts", src.NotServiceAccounts, "notPrincipals", src.NotPrincipals)
		for _, f := range []struct {
			name string
			v    []string
		}{
			{"namespaces", src.Namespaces}, {"notNamespaces", src.NotNamespaces},
			{"ipBlocks", src.IPBlocks}, {"notIpBlocks", src.NotIPBlocks},
			{"remoteIpBlocks", src.RemoteIPBlocks}, {"notRemoteIpBlocks", src.NotRemoteIPBlocks},
			{"requestPrincipals", src.RequestPrincipals}, {"notRequestPrincipals", src.NotRequestPrincipals},
		} {
			if len(f.v) > 0 {
				source[f.name] = strList(f.v)
			}
		}
		out["from"] = []any{obj{"source": source}}
	}
	if op := rule.To; !op.empty() {
		opPath := rp + ".to[0].operation"
		ff := fp + ".to"
		r.setOrigin(rp+".to", ff)
		r.setOrigin(opPath, ff)
		operation := obj{}
		for _, f := range []struct {
			name string
			v    []string
		}{
			{"hosts", op.Hosts}, {"notHosts", op.NotHosts},
			{"methods", op.Methods}, {"notMethods", op.NotMethods},
			{"paths", op.Paths}, {"notPaths", op.NotPaths},
		} {
			if len(f.v) > 0 {
				operation[f.name] = strList(f.v)
			}
		}
		for _, f := range []struct {
			name string
			v    []PortRef
		}{{"ports", op.Ports}, {"notPorts", op.NotPorts}} {
			if len(f.v) == 0 {
				continue
			}
			ports := make([]any, len(f.v))
			for j, ref := range f.v {
				p, _ := b.s.resolvePort(ref)
				ports[j] = strconv.Itoa(int(p.Port))
			}
			operation[f.name] = ports
		}
		out["to"] = []any{obj{"operation": operation}}
	}
	if len(rule.When) > 0 {
		when := make([]any, len(rule.When))
		for i, c := range rule.When {
			co := obj{"key": c.Key}
			if len(c.Values) > 0 {
				co["values"] = strList(c.Values)
			}
			if len(c.NotValues) > 0 {
				co["notValues"] = strList(c.NotValues)
			}
			when[i] = co
		}
		out["when"] = when
	}
	return out
}

// principals merges service accounts, written as ns/sa (or sa in the
// fleet's namespace), with literal principals, each element traced back.
func (b *builder) principals(r *Resource, source obj, key, sp, ff, saKey string, sas []string, prKey string, prs []string) {
	if len(sas)+len(prs) == 0 {
		return
	}
	out := make([]any, 0, len(sas)+len(prs))
	for i, sa := range sas {
		ns, name, ok := strings.Cut(sa, "/")
		if !ok {
			ns, name = b.f.Spec.Metadata.Namespace, sa
		}
		r.setOrigin(manifest.AppendIndex(sp+"."+key, len(out)), manifest.AppendIndex(ff+"."+saKey, i))
		out = append(out, b.s.TrustDomain+"/ns/"+ns+"/sa/"+name)
	}
	for i, p := range prs {
		r.setOrigin(manifest.AppendIndex(sp+"."+key, len(out)), manifest.AppendIndex(ff+"."+prKey, i))
		out = append(out, p)
	}
	if len(sas) > 0 {
		r.setOrigin(sp+"."+key, ff+"."+saKey)
	} else {
		r.setOrigin(sp+"."+key, ff+"."+prKey)
	}
	source[key] = out
}

func strList(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func strMap(m map[string]string) obj {
	out := make(obj, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (b *builder) destinationRule() {
	s := b.s
	t := s.Traffic
	if t == nil {
		t = &Traffic{}
	}
	strict := s.MTLS == MTLSStrict
	if !strict && len(t.Subsets) == 0 && t.ConnectionPool == nil && t.OutlierDetection == nil {
		return
	}
	r, o := b.newResource(b.netAV, "DestinationRule", s.App, "spec.traffic")
	r.setOrigin("metadata", b.appOrigin("spec.app"))
	r.setOrigin("spec.host", b.appOrigin("spec.app"))
	spec := obj{"host": b.fqdn()}
	if len(t.Subsets) > 0 {
		subsets := make([]any, len(t.Subsets))
		for i, ss := range t.Subsets {
			rp := manifest.AppendIndex("spec.subsets", i)
			fp := manifest.AppendKey("spec.traffic.subsets", ss.Name)
			r.setOrigin(rp, fp)
			r.setOrigin(rp+".labels", fp)
			so := obj{"name": ss.Name}
			if len(ss.Labels) > 0 {
				so["labels"] = strMap(ss.Labels)
			}
			subsets[i] = so
		}
		spec["subsets"] = subsets
	}
	tp := obj{}
	if strict {
		tp["tls"] = obj{"mode": "ISTIO_MUTUAL"}
		r.setOrigin("spec.trafficPolicy.tls", "spec.mtls")
	}
	if cp := t.ConnectionPool; cp != nil {
		tp["connectionPool"] = connectionPool(cp)
		r.setOrigin("spec.trafficPolicy.connectionPool", "spec.traffic.connectionPool")
	}
	if od := t.OutlierDetection; od != nil {
		tp["outlierDetection"] = outlierDetection(od)
		r.setOrigin("spec.trafficPolicy.outlierDetection", "spec.traffic.outlierDetection")
	}
	if len(tp) > 0 {
		spec["trafficPolicy"] = tp
	}
	o["spec"] = spec
}

func setInt(o obj, key string, v *int32) {
	if v != nil {
		o[key] = int64(*v)
	}
}

func setStr(o obj, key, v string) {
	if v != "" {
		o[key] = v
	}
}

func setBool(o obj, key string, v *bool) {
	if v != nil {
		o[key] = *v
	}
}

func connectionPool(cp *ConnectionPool) obj {
	out := obj{}
	if t := cp.TCP; t != nil {
		tcp := obj{}
		setInt(tcp, "maxConnections", t.MaxConnections)
		setStr(tcp, "connectTimeout", t.ConnectTimeout)
		setStr(tcp, "maxConnectionDuration", t.MaxConnectionDuration)
		setStr(tcp, "idleTimeout", t.IdleTimeout)
		if k := t.TCPKeepalive; k != nil {
			ka := obj{}
			setInt(ka, "probes", k.Probes)
			setStr(ka, "time", k.Time)
			setStr(ka, "interval", k.Interval)
			tcp["tcpKeepalive"] = ka
		}
		out["tcp"] = tcp
	}
	if h := cp.HTTP; h != nil {
		http := obj{}
		setInt(http, "http1MaxPendingRequests", h.HTTP1MaxPendingRequests)
		setInt(http, "http2MaxRequests", h.HTTP2MaxRequests)
		setInt(http, "maxRequestsPerConnection", h.MaxRequestsPerConnection)
		setInt(http, "maxRetries", h.MaxRetries)
		setInt(http, "maxConcurrentStreams", h.MaxConcurrentStreams)
		setStr(http, "idleTimeout", h.IdleTimeout)
		setStr(http, "h2UpgradePolicy", h.H2UpgradePolicy)
		setBool(http, "useClientProtocol", h.UseClientProtocol)
		out["http"] = http
	}
	return out
}

func outlierDetection(od *OutlierDetection) obj {
	out := obj{}
	setBool(out, "splitExternalLocalOriginErrors", od.SplitExternalLocalOriginErrors)
	setInt(out, "consecutiveLocalOriginFailures", od.ConsecutiveLocalOriginFailures)
	setInt(out, "consecutiveGatewayErrors", od.ConsecutiveGatewayErrors)
	setInt(out, "consecutive5xxErrors", od.Consecutive5xxErrors)
	setStr(out, "interval", od.Interval)
	setStr(out, "baseEjectionTime", od.BaseEjectionTime)
	setInt(out, "maxEjectionPercent", od.MaxEjectionPercent)
	setInt(out, "minHealthPercent", od.MinHealthPercent)
	return out
}

func (b *builder) virtualService() {
	t := b.s.Traffic
	r, o := b.newResource(b.netAV, "VirtualService", b.s.App, "spec.traffic.routes")
	r.setOrigin("metadata", b.appOrigin("spec.app"))
	r.setOrigin("spec.hosts", b.appOrigin("spec.app"))
	host := b.fqdn()
	http := make([]any, len(t.Routes))
	for i, route := range t.Routes {
		rp := manifest.AppendIndex("spec.http", i)
		fp := manifest.AppendIndex("spec.traffic.routes", i)
		r.setOrigin(rp, fp)
		ro := obj{}
		if len(route.Match) > 0 {
			ms := make([]any, len(route.Match))
			for j, m := range route.Match {
				mp := fp + ".match"
				if route.matchList {
					mp = manifest.AppendIndex(mp, j)
				}
				r.setOrigin(manifest.AppendIndex(rp+".match", j), mp)
				ms[j] = match(m)
			}
			ro["match"] = ms
			r.setOrigin(rp+".match", fp+".match")
		}
		dests := make([]any, len(route.To))
		for k, d := range route.To {
			dp := manifest.AppendIndex(rp+".route", k)
			r.setOrigin(dp, manifest.AppendKey(fp+".to", d.Subset))
			r.setOrigin(dp+".weight", manifest.AppendKey(fp+".to", d.Subset))
			r.setOrigin(dp+".destination", manifest.AppendKey(fp+".to", d.Subset))
			dests[k] = obj{
				"destination": obj{"host": host, "subset": d.Subset},
				"weight":      int64(d.Weight),
			}
		}
		r.setOrigin(rp+".route", fp+".to")
		ro["route"] = dests
		if t.Timeout != "" {
			ro["timeout"] = t.Timeout
			r.setOrigin(rp+".timeout", "spec.traffic.timeout")
		}
		if rt := t.Retries; rt != nil {
			retries := obj{"attempts": int64(rt.Attempts)}
			setStr(retries, "perTryTimeout", rt.PerTryTimeout)
			setStr(retries, "retryOn", rt.RetryOn)
			setBool(retries, "retryRemoteLocalities", rt.RetryRemoteLocalities)
			ro["retries"] = retries
			r.setOrigin(rp+".retries", "spec.traffic.retries")
		}
		http[i] = ro
	}
	o["spec"] = obj{"hosts": []any{host}, "http": http}
}

func match(m Match) obj {
	out := obj{}
	setStr(out, "name", m.Name)
	for _, f := range []struct {
		key string
		v   *StringMatch
	}{{"uri", m.URI}, {"scheme", m.Scheme}, {"method", m.Method}, {"authority", m.Authority}} {
		if f.v != nil {
			out[f.key] = obj{f.v.Kind: f.v.Value}
		}
	}
	for _, f := range []struct {
		key string
		v   map[string]StringMatch
	}{{"headers", m.Headers}, {"queryParams", m.QueryParams}, {"withoutHeaders", m.WithoutHeaders}} {
		if len(f.v) == 0 {
			continue
		}
		mo := make(obj, len(f.v))
		for k, v := range f.v {
			mo[k] = obj{v.Kind: v.Value}
		}
		out[f.key] = mo
	}
	if m.Port != 0 {
		out["port"] = int64(m.Port)
	}
	if len(m.SourceLabels) > 0 {
		out["sourceLabels"] = strMap(m.SourceLabels)
	}
	setStr(out, "sourceNamespace", m.SourceNamespace)
	if m.IgnoreURICase {
		out["ignoreUriCase"] = true
	}
	return out
}

// workloadLabels are the group's labels: app, version and spec.labels, with
// their origins under prefix.
func (b *builder) workloadLabels(r *Resource, prefix string) obj {
	out := obj{"app": b.s.App, "version": b.s.Version}
	r.setOrigin(manifest.AppendKey(prefix, "app"), b.appOrigin("spec.app"))
	r.setOrigin(manifest.AppendKey(prefix, "version"), "spec.version")
	for k, v := range b.s.Labels {
		out[k] = v
		r.setOrigin(manifest.AppendKey(prefix, k), manifest.AppendKey("spec.labels", k))
	}
	return out
}

// portMap is name → number for every port, the shape of WorkloadGroup and
// WorkloadEntry ports (keyed by the Service port names).
func (b *builder) portMap(r *Resource, prefix string) obj {
	out := make(obj, len(b.s.Ports))
	r.setOrigin(prefix, "spec.ports")
	for i, p := range b.s.Ports {
		out[p.Name] = int64(p.Port)
		r.setOrigin(manifest.AppendKey(prefix, p.Name), manifest.AppendIndex("spec.ports", i))
	}
	return out
}

func (b *builder) workloadGroup() {
	s := b.s
	r, o := b.newResource(b.netAV, "WorkloadGroup", b.f.Spec.Metadata.Name, "metadata.name")
	md := obj{"labels": b.workloadLabels(r, "spec.metadata.labels")}
	if len(s.Annotations) > 0 {
		md["annotations"] = strMap(s.Annotations)
		r.setOrigin("spec.metadata.annotations", "spec.annotations")
	}
	template := obj{"serviceAccount": s.ServiceAccount, "ports": b.portMap(r, "spec.template.ports")}
	r.setOrigin("spec.template.serviceAccount", b.appOrigin("spec.serviceAccount"))
	if s.Network != "" {
		template["network"] = s.Network
		r.setOrigin("spec.template.network", "spec.network")
	}
	spec := obj{"metadata": md, "template": template}
	if s.Probe != nil {
		spec["probe"] = b.probe(r)
	}
	o["spec"] = spec
}

func (b *builder) probe(r *Resource) obj {
	pr := b.s.Probe
	r.setOrigin("spec.probe", "spec.probe")
	out := obj{}
	setInt(out, "initialDelaySeconds", pr.InitialDelaySeconds)
	setInt(out, "periodSeconds", pr.PeriodSeconds)
	setInt(out, "timeoutSeconds", pr.TimeoutSeconds)
	setInt(out, "successThreshold", pr.SuccessThreshold)
	setInt(out, "failureThreshold", pr.FailureThreshold)
	port := func(ref PortRef) int64 {
		p, _ := b.s.resolvePort(ref)
		return int64(p.Port)
	}
	switch {
	case pr.HTTPGet != nil:
		h := pr.HTTPGet
		hg := obj{"port": port(h.Port)}
		setStr(hg, "path", h.Path)
		setStr(hg, "host", h.Host)
		setStr(hg, "scheme", h.Scheme)
		if len(h.Headers) > 0 {
			keys := sortedKeys(h.Headers)
			hs := make([]any, len(keys))
			for i, k := range keys {
				hs[i] = obj{"name": k, "value": h.Headers[k]}
				r.setOrigin(manifest.AppendIndex("spec.probe.httpGet.httpHeaders", i), manifest.AppendKey("spec.probe.httpGet.headers", k))
			}
			hg["httpHeaders"] = hs
			r.setOrigin("spec.probe.httpGet.httpHeaders", "spec.probe.httpGet.headers")
		}
		out["httpGet"] = hg
	case pr.TCPSocket != nil:
		ts := obj{"port": port(pr.TCPSocket.Port)}
		setStr(ts, "host", pr.TCPSocket.Host)
		out["tcpSocket"] = ts
	case pr.Exec != nil:
		out["exec"] = obj{"command": strList(pr.Exec.Command)}
	}
	return out
}

func (b *builder) workloadEntry(i int) {
	s := b.s
	vm := s.VMs[i]
	fp := manifest.AppendIndex("spec.vms", i)
	r, o := b.newResource(b.netAV, "WorkloadEntry", b.f.Spec.Metadata.Name+"-"+vm.Name, fp)
	r.setOrigin("metadata", fp)
	meta := o["metadata"].(obj)
	if b.has(fp + ".name") {
		r.setOrigin("metadata.name", fp+".name")
	} else {
		r.setOrigin("metadata.name", fp+".address")
	}
	labels := b.workloadLabels(r, "spec.labels")
	mdLabels := b.workloadLabels(r, "metadata.labels")
	for k, v := range vm.Labels {
		labels[k] = v
		mdLabels[k] = v
		r.setOrigin(manifest.AppendKey("spec.labels", k), manifest.AppendKey(fp+".labels", k))
		r.setOrigin(manifest.AppendKey("metadata.labels", k), manifest.AppendKey(fp+".labels", k))
	}
	mdLabels[ManagedByLabel] = ManagedByValue
	meta["labels"] = mdLabels
	if len(s.Annotations) > 0 {
		ann := meta["annotations"].(obj)
		for k, v := range s.Annotations {
			ann[k] = v
			r.setOrigin(manifest.AppendKey("metadata.annotations", k), manifest.AppendKey("spec.annotations", k))
		}
	}
	spec := obj{
		"address":        vm.Address,
		"labels":         labels,
		"ports":          b.portMap(r, "spec.ports"),
		"serviceAccount": s.ServiceAccount,
	}
	r.setOrigin("spec.address", fp+".address")
	r.setOrigin("spec.serviceAccount", b.appOrigin("spec.serviceAccount"))
	if vm.Network != "" {
		spec["network"] = vm.Network
		if b.has(fp + ".network") {
			r.setOrigin("spec.network", fp+".network")
		} else {
			r.setOrigin("spec.network", "spec.network")
		}
	}
	if vm.Locality != "" {
		spec["locality"] = vm.Locality
		r.setOrigin("spec.locality", fp+".locality")
	}
	if vm.Weight != 0 {
		spec["weight"] = int64(vm.Weight)
		r.setOrigin("spec.weight", fp+".weight")
	}
	o["spec"] = spec
}
