package lint

import (
	"fmt"
	"strings"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/render"
)

// The behaviour model (lint/mesh, meshfleet test and explain) reads the
// same index the rules read (DESIGN.md §4: "Behaviour tests share the
// index"), through the small exported view of this file: hosts, exportTo
// visibility, workloads and who has a sidecar, effective mTLS per workload
// and port, and selector matches. Nothing here re-derives a semantic the
// index decides; it only names it.

// Model is a loaded input's index, read-only, with the MeshTest documents
// found among the inputs.
type Model struct {
	ix    *index
	rs    []*resource
	byKey map[string]int
	nodes *nodeCache
	// Problems are the inputs that could not be read or rendered: a test
	// run over them would be a run over something else, so the CLI exits 2.
	Problems []*manifest.Error
	// Tests are the MeshTest documents, with positions, in input order.
	Tests []*manifest.Document
}

// LoadModel reads opts.Paths the way Lint does (files, directories,
// kustomizations, VMFleets rendered in-process, --context) and builds the
// index, without evaluating any rule.
func LoadModel(opts Options) (*Model, error) {
	st, err := opts.settle()
	if err != nil {
		return nil, err
	}
	cfg, notice, workers, ex, root, trust, stdinName, maxRes := st.cfg, st.notice, st.workers, st.ex, st.root, st.trust, st.stdinName, st.maxRes
	jobs, probs := collect(opts.Paths, stdinName, ex, notice)
	jobs = append(jobs, contextJobs(opts.Context, jobs, ex, notice)...)
	if opts.Sized != nil {
		opts.Sized(sizeOf(jobs))
	}
	// The schema check decides which resources take part in resolution
	// (schemaInvalid), as it does for lint; then, as lint's settle does,
	// objects neither the index nor the model reads are dropped on the
	// worker that parsed them.
	check := func(r *resource) {
		for _, p := range checkSchema(r.obj) {
			r.problems = append(r.problems, rawFinding{rule: RuleSchema.ID, path: p.Path, message: p.Message})
		}
		if !indexKinds[r.kind] && !objectKinds[r.kind] && r.wl == nil && r.kind != render.MeshTestKind {
			r.obj = nil
		}
	}
	m := &Model{byKey: map[string]int{}}
	srcs := readAll(jobs, opts.Stdin, workers, defaultKustomize, check)
	var rs []*resource
	var fleetDocs []*manifest.Document
	data := map[string][]byte{}
	for _, s := range srcs {
		if s.err != nil {
			if s.context {
				notice("context: " + s.err.Error())
			} else if s.template && !opts.isComplete(cfg) {
				notice(s.skipTemplateNotice())
			} else {
				probs = append(probs, s.err)
			}
			continue
		}
		for _, n := range s.notices {
			notice(n)
		}
		if n := len(rs) + len(fleetDocs) + len(s.items) + len(s.fleets); n > maxRes {
			probs = append(probs, &manifest.Error{File: s.name, Msg: fmt.Sprintf(
				"not read: the run would hold %d resources, over the resources-per-run limit of %d (--max-resources)", n, maxRes)})
			continue
		}
		data[s.name] = s.data
		var tests map[int]bool
		for _, r := range s.items {
			r.context = s.context
			if r.kind == render.MeshTestKind && strings.HasPrefix(r.apiVersion, "meshfleet.dev/") {
				if tests == nil {
					tests = map[int]bool{}
				}
				if !s.context {
					tests[r.doc] = true
				}
				continue
			}
			rs = append(rs, r)
		}
		fleetDocs = append(fleetDocs, s.fleets...)
		if len(tests) > 0 {
			// Re-parsed for positions: only the files holding tests.
			docs, _ := manifest.Parse(s.name, s.data, manifest.DefaultLimits)
			for _, d := range docs {
				if tests[d.Index] {
					m.Tests = append(m.Tests, d)
				}
			}
		}
	}
	if opts.Loaded != nil {
		var n int64
		for _, b := range data {
			n += int64(len(b))
		}
		opts.Loaded(n)
	}
	rendered, fleetProbs := renderFleets(fleetDocs)
	for _, p := range fleetProbs {
		probs = append(probs, p.err)
	}
	for _, r := range rendered {
		check(r)
	}
	rs = precedence(append(rs, rendered...))
	for i, r := range rs {
		r.ref = i
		m.byKey[r.kind+"/"+r.namespace+"/"+r.name] = i
	}
	m.rs = rs
	m.ix = newIndex(rs, root, trust, cfg.ProductionLabel)
	m.nodes = newNodeCache(data)
	manifest.SortErrors(probs)
	m.Problems = probs
	return m, nil
}

// Len is the number of resources; refs run from 0 to Len()-1.
func (m *Model) Len() int { return len(m.rs) }

// RootNamespace is the mesh root namespace, whose policies are mesh-wide.
func (m *Model) RootNamespace() string { return m.ix.root }

// TrustDomain is the trust domain of principals (cluster.local by default).
func (m *Model) TrustDomain() string { return m.ix.trustDomain }

// Kind is the resource's kind.
func (m *Model) Kind(ref int) string { return m.rs[ref].kind }

// Namespace is the resource's effective namespace.
func (m *Model) Namespace(ref int) string { return m.rs[ref].namespace }

// Name is the resource's metadata.name.
func (m *Model) Name(ref int) string { return m.rs[ref].name }

// Object is the resource as parsed (or rendered); callers must not modify it.
func (m *Model) Object(ref int) map[string]any { return m.rs[ref].obj }

// ID names a resource as tests do: Kind/namespace/name.
func (m *Model) ID(ref int) string {
	r := m.rs[ref]
	return r.kind + "/" + r.namespace + "/" + r.name
}

// Lookup finds a resource by kind, namespace and name.
func (m *Model) Lookup(kind, namespace, name string) (int, bool) {
	ref, ok := m.byKey[kind+"/"+namespace+"/"+name]
	return ref, ok
}

// Position is where the field at path of resource ref is written: its
// file and line, or for a rendered resource the VMFleet field it came from.
func (m *Model) Position(ref int, path string) (file string, line int) {
	file, line, _ = m.rs[ref].position(path, false, m.nodes)
	return file, line
}

// Invalid reports whether ref failed its schema and so takes no part in
// resolution (DESIGN.md §4).
func (m *Model) Invalid(ref int) bool { return schemaInvalid(m.rs[ref]) }

// NamespaceKnown reports whether the input holds the namespace (a
// Namespace object or any resource in it).
func (m *Model) NamespaceKnown(ns string) bool { return m.ix.namespaces[ns] != nil }

// FQDN resolves a host as written in namespace ns, as the index does.
func (m *Model) FQDN(host, ns string) string { return m.ix.fqdn(host, ns) }

// Host is what the index knows about one FQDN.
type Host struct {
	Name string
	// Services and ServiceEntries provide the host; VirtualServices name
	// it literally in spec.hosts; DestinationRules are for it (wildcard
	// rules included). All are refs, in input order.
	Services, ServiceEntries, VirtualServices, DestinationRules []int
}

// Host returns the host name, false when nothing in the input names it.
func (m *Model) Host(name string) (Host, bool) {
	h := m.ix.hosts[name]
	if h == nil {
		return Host{}, false
	}
	return Host{Name: h.name, Services: h.services, ServiceEntries: h.serviceEntries,
		VirtualServices: h.virtualServices, DestinationRules: h.destinationRule}, true
}

// VisibleIn reports whether ref (a Service, ServiceEntry, VirtualService or
// DestinationRule) is visible from namespace ns by its exportTo.
func (m *Model) VisibleIn(ref int, ns string) bool {
	return exportsOf(m.rs[ref]).visibleIn([]string{ns})
}

// Workload is one workload as the index resolved it.
type Workload struct {
	Ref                   int
	Kind, Namespace, Name string
	// Labels are the workload's labels, Istio's way (a WorkloadEntry's
	// metadata.labels over spec.labels).
	Labels         map[string]string
	ServiceAccount string
	Address        string
	// InMesh: Istio gives it a proxy (index_mesh.go).
	InMesh bool
	w      *workload
}

func (m *Model) view(w *workload) Workload {
	return Workload{Ref: w.ref, Kind: w.kind, Namespace: w.namespace, Name: w.name, Labels: w.labels,
		ServiceAccount: w.serviceAccount, Address: w.address, InMesh: w.cls != nil && w.cls.mesh, w: w}
}

// Selected lists the workloads ref's own selector selects (a Service's
// spec.selector, a ServiceEntry's workloadSelector, a policy's
// selector), with the index's selections; ok is false without selector.
func (m *Model) Selected(ref int) (ws []Workload, ok bool) {
	s := m.ix.selectionOf(ref)
	if s == nil {
		return nil, false
	}
	return m.members(s), true
}

// SelectIn lists the workloads of namespace ns carrying every label of sel
// (run-time labels match anything), by the index's selector matching.
func (m *Model) SelectIn(ns string, sel map[string]string) []Workload {
	return m.members(m.ix.selectIn(ns, sel))
}

func (m *Model) members(s *selection) []Workload {
	var out []Workload
	for _, c := range s.classes {
		for _, w := range c.members {
			out = append(out, m.view(w))
		}
	}
	return out
}

// WorkloadsIn lists the namespace's workloads in input order.
func (m *Model) WorkloadsIn(ns string) []Workload {
	l := m.ix.byNS[ns]
	out := make([]Workload, len(l))
	for i, w := range l {
		out[i] = m.view(w)
	}
	return out
}

// MatchesLabels reports whether labels satisfy selector sel the way the
// index matches selectors: run-time labels in sel match anything.
func MatchesLabels(sel, labels map[string]string) bool {
	return matches(declaredLabels(sel), labels)
}

// ServiceAccountKnown reports whether namespace ns holds a ServiceAccount
// object of that name or a workload running as it.
func (m *Model) ServiceAccountKnown(ns, sa string) bool {
	if _, ok := m.ix.sas[ns][sa]; ok {
		return true
	}
	for _, w := range m.ix.byNS[ns] {
		if w.serviceAccount == sa {
			return true
		}
	}
	return false
}

// TargetPort is the port w receives a Service port's traffic on
// (DESIGN.md §4), false when a named targetPort resolves to nothing (Istio
// then drops the endpoint).
func (w Workload) TargetPort(name string, number int, targetPort any) (int, bool) {
	return secTargetPort(w.w, name, number, targetPort)
}

// MTLS is a workload's effective PeerAuthentication mode on one port.
type MTLS struct {
	// Mode: STRICT, PERMISSIVE or DISABLE.
	Mode string
	// Level: mesh, namespace, workload, port, or default (no policy).
	Level string
	// Source is the PeerAuthentication setting it, -1 for the default;
	// Path the field.
	Source int
	Path   string
}

// MTLS is the server-side mode of w on target port p, composed as istiod
// does (index_security.go).
func (m *Model) MTLS(w Workload, p int) MTLS {
	mm := m.ix.sec.mtls[w.w.cls]
	if mm == nil {
		return MTLS{Mode: "PERMISSIVE", Level: "default", Source: -1}
	}
	s := mm.at(p)
	out := MTLS{Mode: s.mode, Level: s.level, Source: -1, Path: s.path}
	if s.pa != nil {
		out.Source = s.pa.ref
	}
	return out
}

// RefsOfKind lists the refs of a kind, in input order; the behaviour model
// indexes policies by namespace from it once per run.
func (m *Model) RefsOfKind(kind string) []int {
	var out []int
	for _, r := range m.rs {
		if r.kind == kind {
			out = append(out, r.ref)
		}
	}
	return out
}

// ProtocolOf is how a sidecar treats a port, read from its name or
// appProtocol the way Istio does: "HTTP/1.1", "HTTP/2" (HTTP/2, gRPC),
// "TLS" (HTTPS, TLS), "TCP" (TCP, Mongo, MySQL, Redis), "" when it names
// none (Istio sniffs).
func ProtocolOf(s string) string { return protocolClass(istioProtocol(s)) }

// Older orders resources as istiod breaks ties between them: by
// creationTimestamp, then name (olderFirst).
func (m *Model) Older(refs []int) {
	rs := make([]*resource, len(refs))
	for i, ref := range refs {
		rs[i] = m.rs[ref]
	}
	olderFirst(rs)
	for i, r := range rs {
		refs[i] = r.ref
	}
}

// CallerInMesh decides whether a caller described by namespace, service
// account ("" any) and labels has a sidecar, by the index's per-workload
// decision (index_mesh.go): the workloads of the namespace running as the
// account and carrying the labels, any of them in the mesh; with none in
// the input, what the namespace's injection labels give a plain pod (a
// namespace the input holds no Namespace object for counts as injected).
// by names the workload or namespace deciding.
func (m *Model) CallerInMesh(ns, sa string, labels map[string]string) (inMesh bool, by string) {
	found := ""
	for _, w := range m.ix.byNS[ns] {
		if sa != "" && w.serviceAccount != sa || !matches(labels, w.labels) {
			continue
		}
		id := w.kind + "/" + w.namespace + "/" + w.name
		if w.cls != nil && w.cls.mesh {
			return true, id
		}
		if found == "" {
			found = id
		}
	}
	if found != "" {
		return false, found
	}
	nsv := m.ix.namespaces[ns]
	if declared, _ := nsv["declared"].(bool); declared {
		labels, _ := nsv["labels"].(map[string]string)
		return injectionDecision(namespaceInjection(labels), 0), "Namespace " + ns
	}
	return injectionDecision(nsUnknown, 0), "Namespace " + ns
}
