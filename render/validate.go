package render

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/schemas"
)

// isFleet recognises a VMFleet by its API group alone: VMFleet is the
// group's only kind besides MeshTest, so a misspelt kind or an unknown
// version still reaches Decode and gets a positioned error instead of being
// skipped silently.
func isFleet(n *yaml.Node) bool {
	_, av := manifest.Lookup(n, "apiVersion")
	av = manifest.Resolve(av)
	return av != nil && av.Kind == yaml.ScalarNode && strings.HasPrefix(av.Value, "meshfleet.dev/") && !isMeshTest(n)
}

// isMeshTest recognises a behaviour test (kind MeshTest, read by meshfleet
// test): it sits beside the manifests but is neither a fleet nor an object
// for the cluster.
func isMeshTest(n *yaml.Node) bool {
	_, av := manifest.Lookup(n, "apiVersion")
	_, k := manifest.Lookup(n, "kind")
	av, k = manifest.Resolve(av), manifest.Resolve(k)
	return av != nil && k != nil && av.Kind == yaml.ScalarNode && k.Kind == yaml.ScalarNode &&
		strings.HasPrefix(av.Value, "meshfleet.dev/") && k.Value == MeshTestKind
}

func decode(doc *manifest.Document) (*Fleet, []*manifest.Error) {
	fd := &fleetDecode{decoder: decoder{file: doc.File, root: doc.Node}}
	if root := manifest.Resolve(doc.Node); root == nil || root.Kind != yaml.MappingNode {
		// Nothing else can be said about a document that is not an object.
		if root == nil {
			fd.errAt(nil, "", "empty document")
		} else {
			fd.isMapping(root, "")
		}
		return nil, fd.errs
	}
	fd.decodeFleet()
	fd.applyDefaults()
	fd.validate()
	// The schema (schemas/vmfleet.cue) is the source of truth for structure.
	// The Go decoder reports the same structural problems with sharper hints,
	// and the cross-field ones, so a schema problem is shown only where the
	// decoder found nothing: there the two disagree and the schema wins.
	if obj, ok := manifest.Value(doc.Node).(map[string]any); ok {
		fd.errs = append(fd.errs, schemaOnly(schemas.Positioned(doc, schemas.ValidateFleet(obj)), fd.errs)...)
	}
	if len(fd.errs) > 0 {
		sortErrors(fd.errs)
		return nil, fd.errs
	}
	return &Fleet{Doc: doc, Spec: &fd.f}, nil
}

// schemaOnly returns the schema errors at paths where no decoder error
// stands, or under or above one.
func schemaOnly(schema, decoded []*manifest.Error) []*manifest.Error {
	var out []*manifest.Error
	for _, s := range schema {
		covered := false
		for _, d := range decoded {
			if pathsOverlap(s.Path, d.Path) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, s)
		}
	}
	return out
}

// pathsOverlap reports whether one path is the other or lies under it.
func pathsOverlap(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return a == b || a == "" || strings.HasPrefix(b, a) && (b[len(a)] == '.' || b[len(a)] == '[')
}

// sortErrors sorts errs in place (manifest.SortErrors) and returns it.
func sortErrors(errs []*manifest.Error) []*manifest.Error {
	manifest.SortErrors(errs)
	return errs
}

// applyDefaults fills in every defaulted field (DESIGN.md §2).
func (fd *fleetDecode) applyDefaults() {
	s := &fd.f.Spec
	if s.App == "" {
		s.App = fd.f.Metadata.Name
	}
	if s.Version == "" {
		s.Version = "v1"
	}
	if s.ServiceAccount == "" {
		s.ServiceAccount = s.App
	}
	s.CreateServiceAccount = fd.createServiceAccount == nil || *fd.createServiceAccount
	s.CreateService = fd.createService == nil || *fd.createService
	if s.TrustDomain == "" {
		s.TrustDomain = "cluster.local"
	}
	if s.MTLS == "" {
		s.MTLS = MTLSStrict
	}
	for i := range s.VMs {
		vm := &s.VMs[i]
		if a, err := netip.ParseAddr(vm.Address); err == nil && a.Zone() == "" {
			vm.Address = a.String()
			if vm.Name == "" {
				vm.Name = vmName(a)
			}
		}
		if vm.Network == "" {
			vm.Network = s.Network
		}
	}
}

// validate runs the cross-field checks on the decoded, defaulted fleet. It
// tolerates fields that failed to decode: they are zero and already reported.
func (fd *fleetDecode) validate() {
	d := &fd.decoder
	f := &fd.f
	s := &f.Spec
	if f.Metadata.Name != "" {
		if msg := dns1123Label(f.Metadata.Name); msg != "" {
			d.errPath("metadata.name", "%s", msg)
		}
	}
	if f.Metadata.Namespace != "" {
		if msg := dns1123Label(f.Metadata.Namespace); msg != "" {
			d.errPath("metadata.namespace", "%s", msg)
		}
	}
	appPath := "metadata.name"
	if _, n := manifest.Lookup(fd.specNode(), "app"); n != nil {
		appPath = "spec.app"
	}
	if appPath == "spec.app" && s.App != "" {
		if msg := dns1123Label(s.App); msg != "" {
			d.errPath("spec.app", "%s", msg)
		}
	}
	// The app names the Service, and Service names are DNS-1035 labels:
	// they may not start with a digit.
	if s.CreateService && s.App != "" && s.App[0] >= '0' && s.App[0] <= '9' && dns1123Label(s.App) == "" {
		d.errPath(appPath, "%q names the Service, and a Service name must start with a letter", s.App)
	}
	if msg := labelValue(s.Version); msg != "" {
		d.errPath("spec.version", "%s", msg)
	}
	if _, n := manifest.Lookup(fd.specNode(), "serviceAccount"); n != nil && s.ServiceAccount != "" {
		if msg := dns1123Subdomain(s.ServiceAccount); msg != "" {
			d.errPath("spec.serviceAccount", "%s", msg)
		}
	}
	if s.Network != "" {
		if msg := labelValue(s.Network); msg != "" {
			d.errPath("spec.network", "network %s", strings.TrimPrefix(msg, "label value "))
		}
	}
	if !trustDomainRE.MatchString(s.TrustDomain) {
		d.errPath("spec.trustDomain", "%q is not a trust domain: lower-case letters, digits, '.', '-' and '_'", s.TrustDomain)
	}
	fd.checkLabels("spec.labels", s.Labels, true)
	for _, k := range sortedKeys(s.Annotations) {
		if msg := labelKey(k); msg != "" {
			d.errPath(manifest.AppendKey("spec.annotations", k), "%s", strings.Replace(msg, "label key", "annotation key", 1))
		} else if k == FleetAnnotation {
			d.errPath(manifest.AppendKey("spec.annotations", k), "annotations may not set %s: meshfleet sets it on its output", k)
		}
	}
	fd.checkPorts()
	fd.checkProbe()
	fd.checkVMs()
	fd.checkOwnership()
	fd.checkRules("spec.allow", s.Allow)
	fd.checkRules("spec.deny", s.Deny)
	fd.checkTraffic()
}

func (fd *fleetDecode) specNode() *yaml.Node {
	_, n := manifest.Lookup(fd.root, "spec")
	return n
}

// reserved label keys: app and version come from spec.app and spec.version,
// managed-by marks meshfleet's output.
var reservedLabels = []string{"app", "version", "app.kubernetes.io/managed-by"}

// checkLabels validates keys and values; workload labels may not set the
// reserved keys, which would override app or version.
func (fd *fleetDecode) checkLabels(path string, labels map[string]string, workload bool) {
	for _, k := range sortedKeys(labels) {
		p := manifest.AppendKey(path, k)
		if msg := labelKey(k); msg != "" {
			fd.errPath(p, "%s", msg)
			continue
		}
		if workload {
			for _, r := range reservedLabels {
				if k == r {
					switch k {
					case "app":
						fd.errPath(p, "labels may not set app: it comes from spec.app")
					case "version":
						fd.errPath(p, "labels may not set version: it comes from spec.version")
					default:
						fd.errPath(p, "labels may not set %s: meshfleet sets it on its output", k)
					}
				}
			}
		}
		if msg := labelValue(labels[k]); msg != "" {
			fd.errPath(p, "%s", msg)
		}
	}
}

func (fd *fleetDecode) checkPorts() {
	s := &fd.f.Spec
	if len(s.Ports) == 0 {
		// A ports value of the wrong type is reported already.
		if _, n := manifest.Lookup(fd.specNode(), "ports"); n == nil || isNull(manifest.Resolve(n)) || manifest.Resolve(n).Kind == yaml.SequenceNode {
			fd.errPath("spec.ports", "at least one port is required")
		}
		return
	}
	names := map[string]int{}
	numbers := map[int32]int{}
	servicePorts := 0
	for i, pt := range s.Ports {
		p := manifest.AppendIndex("spec.ports", i)
		if pt.Name != "" {
			if msg := ianaSvcName(pt.Name); msg != "" {
				fd.errPath(p+".name", "%s", msg)
			} else if j, dup := names[pt.Name]; dup {
				fd.errPath(p+".name", "duplicate port name %q (also spec.ports[%d])", pt.Name, j)
			} else {
				names[pt.Name] = i
			}
		}
		if pt.Port != 0 {
			if j, dup := numbers[pt.Port]; dup {
				fd.errPath(p+".port", "duplicate port %d (also spec.ports[%d])", pt.Port, j)
			} else {
				numbers[pt.Port] = i
			}
		}
		if pt.Service && s.CreateService {
			servicePorts++
		}
		if pt.Name == "" {
			continue
		}
		byName, named := protocolFromName(pt.Name)
		if pt.Protocol != "" && named && byName != pt.Protocol {
			fd.errPath(p+".protocol", "protocol %s contradicts the port name %q, which Istio reads as %s: rename the port or drop protocol", pt.Protocol, pt.Name, byName)
		}
		if pt.Service && s.CreateService {
			// A protocol written but unknown is reported already.
			if _, written := manifest.Find(fd.root, p+".protocol"); pt.Protocol == "" && !named && !written {
				fd.errPath(p+".name", "Istio cannot infer a protocol from port name %q and would sniff it: name it tcp-%s (or http-%s, ...) or set protocol: TCP", pt.Name, pt.Name, pt.Name)
			}
		}
	}
	if s.CreateService && servicePorts == 0 {
		fd.errPath("spec.ports", "no port is on the Service (all have service: false): keep one, or set createService: false")
	}
}

// resolvePort finds the port a reference names.
func (s *Spec) resolvePort(r PortRef) (Port, bool) {
	for _, p := range s.Ports {
		if r.Name != "" && p.Name == r.Name || r.Name == "" && p.Port == r.Number {
			return p, true
		}
	}
	return Port{}, false
}

// String is the reference as errors show it: a quoted name or a number.
func (r PortRef) String() string {
	if r.Name != "" {
		return strconv.Quote(r.Name)
	}
	return strconv.Itoa(int(r.Number))
}

// checkPortRef reports a reference to a port spec.ports does not declare.
func (fd *fleetDecode) checkPortRef(path string, r PortRef) {
	s := &fd.f.Spec
	if r.Name == "" && r.Number == 0 || len(s.Ports) == 0 {
		return
	}
	if _, ok := s.resolvePort(r); ok {
		return
	}
	have := make([]string, 0, len(s.Ports))
	for _, p := range s.Ports {
		have = append(have, fmt.Sprintf("%s=%d", p.Name, p.Port))
	}
	fd.errPath(path, "port %s is not in spec.ports (have %s)", r, strings.Join(have, ", "))
}

func (fd *fleetDecode) checkProbe() {
	pr := fd.f.Spec.Probe
	if pr == nil {
		return
	}
	if h := pr.HTTPGet; h != nil {
		fd.checkPortRef("spec.probe.httpGet.port", h.Port)
		if h.Path != "" && !strings.HasPrefix(h.Path, "/") {
			fd.errPath("spec.probe.httpGet.path", "path %q must start with /", h.Path)
		}
		for _, k := range sortedKeys(h.Headers) {
			if !httpTokenRE.MatchString(k) {
				fd.errPath(manifest.AppendKey("spec.probe.httpGet.headers", k), "%q is not a valid HTTP header name", k)
			}
		}
	}
	if t := pr.TCPSocket; t != nil {
		fd.checkPortRef("spec.probe.tcpSocket.port", t.Port)
	}
}

func (fd *fleetDecode) checkVMs() {
	s := &fd.f.Spec
	names := map[string]int{}
	addrs := map[string]int{}
	for i := range s.VMs {
		vm := &s.VMs[i]
		p := manifest.AppendIndex("spec.vms", i)
		if vm.Address != "" {
			a, err := netip.ParseAddr(vm.Address)
			switch {
			case err != nil:
				fd.errPath(p+".address", "%q is not an IP address: Service endpoints from a WorkloadEntry are not resolved through DNS", vm.Address)
			case a.Zone() != "":
				fd.errPath(p+".address", "%q has an IPv6 zone, which a WorkloadEntry cannot carry", vm.Address)
			default:
				// An IPv4-mapped IPv6 address is the same host as the
				// IPv4 address it maps.
				key := a.Unmap().String()
				if j, dup := addrs[key]; dup {
					fd.errPath(p+".address", "duplicate address %s (also spec.vms[%d])", vm.Address, j)
				} else {
					addrs[key] = i
				}
			}
		}
		if vm.Name != "" {
			if msg := dns1123Label(vm.Name); msg != "" {
				fd.errPath(p+".name", "%s", msg)
			} else if j, dup := names[vm.Name]; dup {
				fd.errPath(p+".name", "duplicate vm name %q (also spec.vms[%d]; names default to the address)", vm.Name, j)
			} else {
				names[vm.Name] = i
			}
		}
		if vm.Locality != "" && !localityRE.MatchString(vm.Locality) {
			fd.errPath(p+".locality", "%q is not a locality: region[/zone[/subzone]]", vm.Locality)
		}
		if vm.Network != "" && vm.Network != s.Network {
			if msg := labelValue(vm.Network); msg != "" {
				fd.errPath(p+".network", "network %s", strings.TrimPrefix(msg, "label value "))
			}
		}
		fd.checkLabels(p+".labels", vm.Labels, true)
	}
}

// checkOwnership refuses app-level settings on a fleet that does not own the
// app-level objects: they would silently render nothing.
func (fd *fleetDecode) checkOwnership() {
	if fd.f.Spec.CreateService {
		return
	}
	why := "is rendered by the fleet that owns the app-level objects; set it there (this fleet has createService: false)"
	if fd.allowSet {
		fd.errPath("spec.allow", "the ALLOW policy %s", why)
	}
	if fd.denySet {
		fd.errPath("spec.deny", "the DENY policy %s", why)
	}
	if fd.mtlsSet {
		fd.errPath("spec.mtls", "the PeerAuthentication %s", why)
	}
	if fd.f.Spec.Traffic != nil {
		fd.errPath("spec.traffic", "the DestinationRule and VirtualService are %s", strings.TrimPrefix(why, "is "))
	}
}

func (fd *fleetDecode) checkRules(path string, rules []Rule) {
	for i, r := range rules {
		p := manifest.AppendIndex(path, i)
		if src := r.From; src != nil {
			fd.checkServiceAccounts(p+".from.serviceAccounts", src.ServiceAccounts)
			fd.checkServiceAccounts(p+".from.notServiceAccounts", src.NotServiceAccounts)
			fd.checkNamespaces(p+".from.namespaces", src.Namespaces)
			fd.checkNamespaces(p+".from.notNamespaces", src.NotNamespaces)
			for _, b := range []struct {
				name string
				v    []string
			}{{"ipBlocks", src.IPBlocks}, {"notIpBlocks", src.NotIPBlocks}, {"remoteIpBlocks", src.RemoteIPBlocks}, {"notRemoteIpBlocks", src.NotRemoteIPBlocks}} {
				for j, cidr := range b.v {
					if !validIPBlock(cidr) {
						fd.errPath(manifest.AppendIndex(p+".from."+b.name, j), "%q is not an IP address or CIDR block", cidr)
					}
				}
			}
		}
		if op := r.To; op != nil {
			for j, ref := range op.Ports {
				fd.checkPortRef(manifest.AppendIndex(p+".to.ports", j), ref)
			}
			for j, ref := range op.NotPorts {
				fd.checkPortRef(manifest.AppendIndex(p+".to.notPorts", j), ref)
			}
			for j, path := range op.Paths {
				if path == "" {
					fd.errPath(manifest.AppendIndex(p+".to.paths", j), "empty path")
				}
			}
		}
	}
}

func validIPBlock(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// checkServiceAccounts accepts "ns/sa" or "sa" (in the fleet's namespace).
func (fd *fleetDecode) checkServiceAccounts(path string, sas []string) {
	for j, sa := range sas {
		p := manifest.AppendIndex(path, j)
		ns, name, qualified := strings.Cut(sa, "/")
		if !qualified {
			ns, name = fd.f.Metadata.Namespace, sa
		}
		if qualified {
			if msg := dns1123Label(ns); msg != "" {
				fd.errPath(p, "service account %q: namespace %s", sa, msg)
				continue
			}
		}
		if msg := dns1123Subdomain(name); msg != "" {
			fd.errPath(p, "service account %q (want namespace/name): %s", sa, msg)
		}
	}
}

func (fd *fleetDecode) checkNamespaces(path string, nss []string) {
	for j, ns := range nss {
		if ns == "*" || strings.HasPrefix(ns, "*") || strings.HasSuffix(ns, "*") {
			continue
		}
		if msg := dns1123Label(ns); msg != "" {
			fd.errPath(manifest.AppendIndex(path, j), "namespace %s", msg)
		}
	}
}

func (fd *fleetDecode) checkTraffic() {
	t := fd.f.Spec.Traffic
	if t == nil {
		return
	}
	subsets := map[string]bool{}
	for _, ss := range t.Subsets {
		p := manifest.AppendKey("spec.traffic.subsets", ss.Name)
		subsets[ss.Name] = true
		if msg := dns1123Label(ss.Name); msg != "" {
			fd.errPath(p, "subset name %s", msg)
		}
		fd.checkLabels(p, ss.Labels, false)
	}
	for i, r := range t.Routes {
		p := manifest.AppendIndex("spec.traffic.routes", i)
		if len(r.To) == 0 {
			continue
		}
		sum := int32(0)
		for _, dst := range r.To {
			sum += dst.Weight
			if !subsets[dst.Subset] {
				fd.errPath(manifest.AppendKey(p+".to", dst.Subset), "subset %q is not defined in spec.traffic.subsets%s", dst.Subset, subsetHint(dst.Subset, t.Subsets))
			}
		}
		if sum != 100 && r.toComplete {
			fd.errPath(p+".to", "weights add up to %d, not 100", sum)
		}
	}
	if len(t.Routes) == 0 {
		if t.Timeout != "" {
			fd.errPath("spec.traffic.timeout", "timeout applies to routes, and there are none: add spec.traffic.routes")
		}
		if t.Retries != nil {
			fd.errPath("spec.traffic.retries", "retries apply to routes, and there are none: add spec.traffic.routes")
		}
	}
}

func subsetHint(name string, subsets []Subset) string {
	if len(subsets) == 0 {
		return ""
	}
	names := make([]string, len(subsets))
	for i, s := range subsets {
		names[i] = s.Name
	}
	return hint(name, names)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
