package lint

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meshfleet/meshfleet/render"
)

// The MF4xx port rules need, per Service port, the protocol Istio gives it
// and the port each selected workload receives its traffic on. Both take
// Istio's rules (protocol selection, WorkloadEntry port maps, named
// targetPorts), so they are resolved here once rather than in Rego.

// wellKnownPorts are the Service ports Istio treats as TCP when neither the
// name nor appProtocol names a protocol (SMTP, DNS, MySQL, MongoDB): it
// does not sniff them, so an unconventional name there is harmless.
var wellKnownPorts = map[int]bool{25: true, 53: true, 3306: true, 27017: true}

// istioProtocol reads a port name or appProtocol the way Istio does:
// "<protocol>" or "<protocol>-<suffix>", any case; "" when it names none
// (Istio then sniffs). The protocol table is render's, so the renderer and
// the linter cannot disagree on it.
func istioProtocol(s string) render.Protocol {
	p, _ := render.Port{Name: strings.ToLower(s)}.EffectiveProtocol()
	return p
}

// protocolClass groups protocols the sidecar treats alike on an inbound
// listener: gRPC and gRPC-Web are HTTP/2, HTTPS is TLS passed through, and
// Mongo, MySQL and Redis are opaque TCP unless experimental filters are on.
func protocolClass(p render.Protocol) string {
	switch p {
	case render.ProtoHTTP:
		return "HTTP/1.1"
	case render.ProtoHTTP2, render.ProtoGRPC, render.ProtoGRPCWeb:
		return "HTTP/2"
	case render.ProtoHTTPS, render.ProtoTLS:
		return "TLS"
	case render.ProtoTCP, render.ProtoMongo, render.ProtoMySQL, render.ProtoRedis:
		return "TCP"
	}
	return ""
}

// portNumber reads a port number written as a YAML integer (or a string of
// digits, which Kubernetes would reject as a port name anyway).
func portNumber(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		return int(x), true
	case int:
		return x, true
	case float64:
		if x == float64(int(x)) {
			return int(x), true
		}
	case string:
		if n, err := strconv.Atoi(x); err == nil && x != "" && x[0] != '-' && x[0] != '+' {
			return n, true
		}
	}
	return 0, false
}

// podKinds are the built-in kinds whose pod template Kubernetes itself turns
// into pods; other kinds with a template (operators' CRDs) may add ports,
// so named targetPorts are not checked against them.
var podKinds = map[string]string{
	"Pod": "", "ReplicationController": "", "Deployment": "apps", "StatefulSet": "apps",
	"DaemonSet": "apps", "ReplicaSet": "apps", "Job": "batch", "CronJob": "batch",
}

// podSpec returns r's pod spec and its YAML path, or nil.
func podSpec(r *resource) (map[string]any, string) {
	spec := mapOf(r.obj["spec"])
	switch {
	case r.kind == "Pod" && r.apiVersion == "v1":
		return spec, "spec"
	case r.kind == "CronJob" && r.group() == "batch":
		return mapOf(dig(spec, "jobTemplate", "spec", "template", "spec")), "spec.jobTemplate.spec.template.spec"
	}
	return mapOf(dig(spec, "template", "spec")), "spec.template.spec"
}

// podPorts is what a pod template declares: container port names → numbers
// (the first declaration wins, as in Kubernetes), and whether Kubernetes
// itself makes the pods.
type podPorts struct {
	named   map[string]int
	builtin bool
}

// portIndex holds the port facts of one run.
type portIndex struct {
	pods map[int]*podPorts
	// dups are MF405 facts by namespace.
	dups map[string][]any
}

// servicePort is one Service port.
type servicePort struct {
	svc      *resource
	index    int
	name     string
	protocol render.Protocol
	class    string
	fact     map[string]any
	group    *portGroup
}

// portGroup is the Service ports that select the same workloads and are
// written alike (name, number, targetPort, appProtocol, protocol): they
// send traffic to the same ports of the same classes, resolved once. A
// thousand Services selecting the same thousand VMs make one group.
type portGroup struct {
	class     string
	endpoints []classEndpoint
	byStatus  map[string]any
	sps       []*servicePort
}

type portGroupKey struct {
	sel  *selection
	spec string
}

// classEndpoint is where one class of workloads receives a Service port:
// ep is endpointPort's answer for the class's first workload.
type classEndpoint struct {
	cls *class
	ep  map[string]any
}

// indexPorts records, for every Service, its ports' protocols and, per
// status, how many selected workloads receive each port that way and the
// first of them (extra "servicePorts", policies/README.md), the Service
// ports another Service's port disagrees with on a workload port
// (conflicts), and the duplicate ports of Services and pod templates
// (index "portDuplicates"). Endpoints are resolved per class of workloads
// and per group of alike ports, so a Service selecting a thousand
// identical VMs costs what one selecting one does.
func (ix *index) indexPorts(rs []*resource) {
	pi := &portIndex{pods: map[int]*podPorts{}, dups: map[string][]any{}}
	var services []*resource
	for _, r := range rs {
		switch {
		case r.kind == "Service" && r.apiVersion == "v1":
			services = append(services, r)
			pi.serviceDuplicates(r)
		case r.wl != nil && r.wl.containerPorts != nil:
			pi.pods[r.ref] = pi.podDuplicates(r)
		}
	}
	groups := map[portGroupKey]*portGroup{}
	var order []*portGroup
	for _, r := range services {
		for _, sp := range ix.servicePorts(r, pi, groups) {
			if len(sp.group.sps) == 1 {
				order = append(order, sp.group)
			}
		}
	}
	// byTarget groups the port groups that declare a protocol by class
	// of workloads and the port it receives, and there by protocol class:
	// Istio builds one inbound listener per port, so Services disagreeing
	// there are reported (MF406). Only for workloads in the mesh: without
	// a proxy there is no listener, and each Service's traffic reaches the
	// application as sent.
	type target struct {
		cls  *class
		port int
	}
	byTarget := map[target]map[string][]*portGroup{}
	for _, g := range order {
		if g.class == "" {
			continue
		}
		for _, ce := range g.endpoints {
			if ce.cls == nil || !ce.cls.mesh {
				continue
			}
			if n, ok := ce.ep["port"].(int); ok {
				key := target{ce.cls, n}
				m := byTarget[key]
				if m == nil {
					m = map[string][]*portGroup{}
					byTarget[key] = m
				}
				m[g.class] = append(m[g.class], g)
			}
		}
	}
	for _, ga := range order {
		if ga.class == "" {
			continue
		}
		var hits []conflictHit
		for _, ce := range ga.endpoints {
			n, ok := ce.ep["port"].(int)
			if !ok {
				continue
			}
			for cl, others := range byTarget[target{ce.cls, n}] {
				if cl != ga.class {
					hits = append(hits, conflictHit{ce, n, others})
				}
			}
		}
		if len(hits) == 0 {
			continue
		}
		for _, a := range ga.sps {
			a.conflicts(hits)
		}
	}
	ix.portDups = pi.dups
}

// conflictHit is a class of a's workloads, the port it receives a's
// traffic on, and the port groups of another protocol class there.
type conflictHit struct {
	ce     classEndpoint
	port   int
	others []*portGroup
}

// conflicts groups a's workloads by the other Service port they
// conflict with, as MF406 reports them: [service, portName, protocol],
// the first workload by "kind name ref", its port, and how many.
func (a *servicePort) conflicts(hits []conflictHit) {
	type group struct {
		fact    map[string]any
		first   firstOf
		classes map[*class]bool
	}
	groups := map[string]*group{}
	var order []string
	for _, h := range hits {
		for _, gb := range h.others {
			for _, b := range gb.sps {
				if b.svc.ref == a.svc.ref {
					continue
				}
				proto := strings.ToLower(string(b.protocol))
				key := b.svc.name + "\x00" + b.name + "\x00" + proto
				g := groups[key]
				if g == nil {
					g = &group{fact: map[string]any{"service": b.svc.name, "portName": b.name, "protocol": proto}, classes: map[*class]bool{}}
					groups[key] = g
					order = append(order, key)
				}
				if !g.classes[h.ce.cls] {
					g.classes[h.ce.cls] = true
					g.first.add(h.ce.cls)
					if g.first.cls == h.ce.cls {
						g.fact["port"] = h.port
					}
				}
			}
		}
	}
	if len(groups) == 0 {
		return
	}
	sort.Strings(order)
	conflicts := make([]any, 0, len(order))
	for _, key := range order {
		g := groups[key]
		g.fact["first"] = endpointRef(g.first.w)
		g.fact["count"] = g.first.n
		conflicts = append(conflicts, g.fact)
	}
	a.fact["conflicts"] = conflicts
}

// endpointRef names a workload in an endpoint fact.
func endpointRef(w *workload) map[string]any {
	return map[string]any{"ref": w.ref, "kind": w.kind, "name": w.name}
}

// servicePorts resolves the ports of Service r (see indexPorts), each in
// its group of alike ports.
func (ix *index) servicePorts(r *resource, pi *portIndex, groups map[portGroupKey]*portGroup) []*servicePort {
	spec := mapOf(r.obj["spec"])
	var sel *selection
	if s := stringMap(spec["selector"]); len(s) > 0 && str(spec["type"]) != "ExternalName" {
		sel = ix.selectionOf(r.ref)
	}
	if istioOwned(mapOf(mapOf(r.obj["metadata"])["labels"])) {
		ix.extra(r.ref)["istioOwned"] = true
	}
	var out []*servicePort
	facts := []any{}
	var buf []byte
	for i, raw := range listOf(spec["ports"]) {
		p := mapOf(raw)
		if p == nil {
			continue
		}
		number, _ := portNumber(p["port"])
		name := str(p["name"])
		app := str(p["appProtocol"])
		// The API server accepts TCP, UDP and SCTP only (MF101 reports any
		// other value): a port written "tcp" or "HTTP" is judged as the TCP
		// port its author meant, not left out of the port rules.
		transport := strings.ToUpper(str(p["protocol"]))
		if transport != "UDP" && transport != "SCTP" {
			transport = "TCP"
		}
		byName := istioProtocol(name)
		proto := byName
		if app != "" {
			proto = istioProtocol(app)
		}
		sp := &servicePort{svc: r, index: i, name: name, protocol: proto}
		if transport == "TCP" {
			sp.class = protocolClass(proto)
		}
		fact := map[string]any{
			"index": i, "name": name, "number": number, "appProtocol": app, "transport": transport,
			"nameProtocol": strings.ToLower(string(byName)), "protocol": strings.ToLower(string(proto)),
			"wellKnown": wellKnownPorts[number],
		}
		if tp := p["targetPort"]; tp != nil {
			fact["targetPort"] = tp
		}
		buf = canon(canon(canon(canon(buf[:0], name), int64(number)), p["targetPort"]), sp.class)
		key := portGroupKey{sel, string(buf)}
		g := groups[key]
		if g == nil {
			g = &portGroup{class: sp.class}
			groups[key] = g
			g.resolve(sel, name, number, p["targetPort"], pi)
		}
		g.sps = append(g.sps, sp)
		sp.group = g
		fact["endpointsByStatus"] = g.byStatus
		sp.fact = fact
		facts = append(facts, fact)
		out = append(out, sp)
	}
	ix.extra(r.ref)["servicePorts"] = facts
	return out
}

// istioOwned reports whether a Service's labels mark it as Istio's own:
// its control plane or a gateway (label istio, or release: istio, as
// istioctl analyze's IsIstioControlPlane reads them), or a Service Istio's
// gateway controller generates (gateway.istio.io/managed). Their port
// names are Istio's, not the operator's to fix.
func istioOwned(labels map[string]any) bool {
	if _, ok := labels["istio"]; ok {
		return true
	}
	if _, ok := labels["gateway.istio.io/managed"]; ok {
		return true
	}
	return str(labels["release"]) == "istio"
}

// resolve finds where each class of sel receives the port, and sums the
// classes up per status: the first workload (by "kind name ref", as the
// rules sort them) with its port and via, and the count.
func (g *portGroup) resolve(sel *selection, name string, number int, targetPort any, pi *portIndex) {
	g.byStatus = map[string]any{}
	if sel == nil {
		return
	}
	firsts := map[string]*firstOf{}
	eps := map[*class]map[string]any{}
	for _, c := range sel.classes {
		ep := endpointPort(c.rep(), name, number, targetPort, pi.pods[c.rep().ref])
		g.endpoints = append(g.endpoints, classEndpoint{c, ep})
		eps[c] = ep
		status := ep["status"].(string)
		f := firsts[status]
		if f == nil {
			f = &firstOf{}
			firsts[status] = f
		}
		f.add(c)
	}
	for status, f := range firsts {
		first := endpointRef(f.w)
		for _, k := range []string{"port", "via"} {
			if v, ok := eps[f.cls][k]; ok {
				first[k] = v
			}
		}
		g.byStatus[status] = map[string]any{"first": first, "count": f.n}
	}
}

// endpointPort resolves the port workload w receives the traffic of a
// Service port on (DESIGN.md §4), with a status the MF402/MF403 rules read:
//
//   - WorkloadEntry/WorkloadGroup with ports: the entry named like the
//     Service port; else a named targetPort, which must be a key of the map
//     ("dropped": Istio drops the endpoint); else the numeric targetPort or
//     the port, which must be one of the map's numbers ("undeclared").
//   - Pods: a named targetPort must be a container port's name
//     ("unnamed"); numeric ones need not be declared.
//   - Anything else, or a VM without ports: "unchecked".
func endpointPort(w *workload, name string, number int, targetPort any, pod *podPorts) map[string]any {
	ep := map[string]any{"ref": w.ref, "kind": w.kind, "name": w.name, "status": "unchecked"}
	tpNumber, numeric := portNumber(targetPort)
	tpName, _ := targetPort.(string)
	if numeric {
		tpName = ""
	}
	via := "targetPort"
	if targetPort == nil || (!numeric && tpName == "") {
		tpNumber, numeric, via = number, true, "port"
	}
	switch {
	case w.ports != nil:
		if len(w.ports) == 0 {
			if numeric {
				ep["port"] = tpNumber
			}
			return ep
		}
		if n, ok := portNumber(w.ports[name]); ok && name != "" {
			ep["port"], ep["via"], ep["status"] = n, "name", "ok"
			return ep
		}
		if tpName != "" {
			if n, ok := portNumber(w.ports[tpName]); ok {
				ep["port"], ep["via"], ep["status"] = n, "targetPort", "ok"
			} else {
				ep["status"] = "dropped"
			}
			return ep
		}
		ep["port"], ep["via"], ep["status"] = tpNumber, via, "undeclared"
		for _, v := range w.ports {
			if n, ok := portNumber(v); ok && n == tpNumber {
				ep["status"] = "ok"
			}
		}
	case pod != nil:
		// Numeric targetPorts need not be declared; named ones must be.
		if tpName == "" {
			ep["port"], ep["via"], ep["status"] = tpNumber, via, "ok"
			return ep
		}
		if n, ok := pod.named[tpName]; ok {
			ep["port"], ep["via"], ep["status"] = n, "targetPort", "ok"
		} else if pod.builtin {
			ep["status"] = "unnamed"
		}
	}
	return ep
}

// serviceDuplicates records Service ports that repeat a name, or a number
// with the same protocol (TCP unless given).
func (pi *portIndex) serviceDuplicates(r *resource) {
	names := map[string]int{}
	numbers := map[string]int{}
	for i, raw := range listOf(dig(r.obj, "spec", "ports")) {
		p := mapOf(raw)
		if p == nil {
			continue
		}
		base := fmt.Sprintf("spec.ports[%d]", i)
		if n := str(p["name"]); n != "" {
			if j, ok := names[n]; ok {
				pi.dup(r, base+".name", fmt.Sprintf("spec.ports[%d]", j), "name", n)
			} else {
				names[n] = i
			}
		}
		if n, ok := portNumber(p["port"]); ok {
			proto := strings.ToUpper(str(p["protocol"]))
			if proto == "" {
				proto = "TCP"
			}
			key := fmt.Sprintf("%d/%s", n, proto)
			if j, ok := numbers[key]; ok {
				pi.dup(r, base+".port", fmt.Sprintf("spec.ports[%d]", j), "port", key)
			} else {
				numbers[key] = i
			}
		}
	}
}

// podDuplicates records container ports that repeat a name anywhere in the
// pod (named targetPorts and probes then resolve to the first) or a number
// and protocol within one container, and returns the pod's named ports.
func (pi *portIndex) podDuplicates(r *resource) *podPorts {
	group, builtin := podKinds[r.kind]
	pp := &podPorts{named: map[string]int{}, builtin: builtin && r.group() == group}
	pod, base := podSpec(r)
	if pod == nil {
		return pp
	}
	names := map[string]string{}
	for _, list := range []string{"containers", "initContainers"} {
		for c, rc := range listOf(pod[list]) {
			numbers := map[string]string{}
			for i, raw := range listOf(mapOf(rc)["ports"]) {
				p := mapOf(raw)
				if p == nil {
					continue
				}
				path := fmt.Sprintf("%s.%s[%d].ports[%d]", base, list, c, i)
				n, numeric := portNumber(p["containerPort"])
				if name := str(p["name"]); name != "" {
					if first, ok := names[name]; ok {
						pi.dup(r, path+".name", first, "name", name)
					} else {
						names[name] = path
						if numeric {
							pp.named[name] = n
						}
					}
				}
				if !numeric {
					continue
				}
				proto := strings.ToUpper(str(p["protocol"]))
				if proto == "" {
					proto = "TCP"
				}
				key := fmt.Sprintf("%d/%s", n, proto)
				if first, ok := numbers[key]; ok {
					pi.dup(r, path+".containerPort", first, "port", key)
				} else {
					numbers[key] = path
				}
			}
		}
	}
	return pp
}

func (pi *portIndex) dup(r *resource, path, first, field, value string) {
	pi.dups[r.namespace] = append(pi.dups[r.namespace], map[string]any{
		"ref": r.ref, "kind": r.kind, "path": path, "first": first, "field": field, "value": value,
	})
}

// portDuplicatesValue is index.portDuplicates as Rego sees it.
func (ix *index) portDuplicatesValue() map[string]any {
	out := make(map[string]any, len(ix.portDups))
	for ns, l := range ix.portDups {
		out[ns] = l
	}
	return out
}

func intsOf(v any) []int {
	l, _ := v.([]int)
	return l
}
