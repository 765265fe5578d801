package vmconfig

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
	meshpb "istio.io/api/mesh/v1alpha1"
	netpb "istio.io/api/networking/v1alpha3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/render"
)

// proxyConfigAnnotation is Istio's annotation.ProxyConfig: a ProxyConfig in
// YAML that istioctl applies over the mesh's defaultConfig.
const proxyConfigAnnotation = "proxy.istio.io/config"

// Group is a WorkloadGroup as vm-config needs it, with the positions its
// errors point at.
type Group struct {
	File      string
	Name      string
	Namespace string
	// Spec is the WorkloadGroup's spec as istioctl decodes it (unknown
	// fields dropped).
	Spec *netpb.WorkloadGroup
	// proxyConfigs are the proxy.istio.io/config annotations of
	// metadata.annotations and then spec.metadata.annotations, in the order
	// istioctl applies them (the latter wins); nil entries are absent.
	proxyConfigs [2]*yaml.Node
	// at is where errors about the group as a whole point.
	at *yaml.Node
}

// VM is one VM of a VMFleet: its directory name, address and what its
// WorkloadEntry adds to the group's template.
type VM struct {
	Name    string
	Address string
	Network string
	Labels  map[string]string
}

// Source is what -f held: a WorkloadGroup, or a VMFleet's WorkloadGroup
// and its VMs.
type Source struct {
	Group *Group
	// Fleet is set for a VMFleet; VMs are its spec.vms (never empty).
	Fleet *render.Fleet
	VMs   []VM
}

var (
	dns1123LabelRE     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1123SubdomainRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// isLabel reports whether s is a DNS-1123 label (a namespace, a revision).
func isLabel(s string) bool { return len(s) <= 63 && dns1123LabelRE.MatchString(s) }

// isSubdomain reports whether s is a DNS-1123 subdomain (a name, a service
// account).
func isSubdomain(s string) bool { return len(s) <= 253 && dns1123SubdomainRE.MatchString(s) }

// groupAPIVersions are the apiVersions of WorkloadGroup; istioctl reads any
// (it never looks), and a file without apiVersion is fine.
var groupAPIVersions = []string{"networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"}

// Load reads the one WorkloadGroup or VMFleet of file. Other documents (a
// rendered stream holds a ServiceAccount, a Service...) are ignored; none,
// or more than one, is an error.
func Load(file string, data []byte) (*Source, []*manifest.Error) {
	docs, err := manifest.Parse(file, data, manifest.DefaultLimits)
	if err != nil {
		return nil, []*manifest.Error{asError(file, err)}
	}
	var picked []*manifest.Document
	for _, d := range docs {
		if render.IsFleet(d.Node) || kindOf(d.Node) == "WorkloadGroup" {
			picked = append(picked, d)
		}
	}
	switch len(picked) {
	case 0:
		return nil, []*manifest.Error{{File: file, Msg: "no WorkloadGroup or VMFleet found"}}
	case 1:
	default:
		var at []string
		for _, d := range picked[1:] {
			at = append(at, fmt.Sprintf("line %d", d.Node.Line))
		}
		return nil, []*manifest.Error{manifest.Errorf(file, picked[0].Node, "", "more than one WorkloadGroup or VMFleet (also at %s): give vm-config one", strings.Join(at, ", "))}
	}
	d := picked[0]
	if render.IsFleet(d.Node) {
		return loadFleet(d)
	}
	g, errs := decodeGroup(file, d.Node)
	if len(errs) > 0 {
		return nil, errs
	}
	return &Source{Group: g}, nil
}

func kindOf(n *yaml.Node) string {
	_, k := manifest.Lookup(n, "kind")
	if k = manifest.Resolve(k); k == nil || k.Kind != yaml.ScalarNode {
		return ""
	}
	return k.Value
}

func asError(file string, err error) *manifest.Error {
	if me, ok := err.(*manifest.Error); ok {
		return me
	}
	return &manifest.Error{File: file, Msg: err.Error()}
}

// loadFleet decodes a VMFleet with the renderer and takes the WorkloadGroup
// it renders: the same object `meshfleet render` writes, so the VM files
// and the manifests cannot disagree.
func loadFleet(d *manifest.Document) (*Source, []*manifest.Error) {
	f, errs := render.Decode(d)
	if len(errs) > 0 {
		return nil, errs
	}
	if len(f.Spec.Spec.VMs) == 0 {
		at, _ := manifest.Find(d.Node, "spec.vms")
		if at == nil || at == d.Node {
			at, _ = manifest.Find(d.Node, "spec")
		}
		return nil, []*manifest.Error{manifest.Errorf(d.File, at, "spec.vms", "VMFleet %s/%s lists no vms: vm-config writes one directory per VM address; for auto-registered VMs give its WorkloadGroup (render -o) with --internal-ip",
			f.Spec.Metadata.Namespace, f.Spec.Metadata.Name)}
	}
	rs, errs := render.Render([]*render.Fleet{f}, render.Options{})
	if len(errs) > 0 {
		return nil, errs
	}
	var wg map[string]any
	for _, r := range rs {
		if k, _ := r.Object["kind"].(string); k == "WorkloadGroup" {
			wg = r.Object
		}
	}
	if wg == nil {
		return nil, []*manifest.Error{manifest.Errorf(d.File, d.Node, "", "the VMFleet rendered no WorkloadGroup")}
	}
	var n yaml.Node
	if err := n.Encode(wg); err != nil {
		return nil, []*manifest.Error{manifest.Errorf(d.File, d.Node, "", "%v", err)}
	}
	g, errs := decodeGroup(d.File, &n)
	if len(errs) > 0 {
		// The renderer validated the fleet: an error here names the
		// rendered field, positioned at the fleet.
		name, _ := manifest.Find(d.Node, "metadata.name")
		for _, e := range errs {
			e.Line, e.Column = name.Line, name.Column
		}
		return nil, errs
	}
	src := &Source{Group: g, Fleet: f}
	for _, vm := range f.Spec.Spec.VMs {
		src.VMs = append(src.VMs, VM{Name: vm.Name, Address: vm.Address, Network: vm.Network, Labels: vm.Labels})
	}
	return src, nil
}

// decodeGroup reads a WorkloadGroup document: metadata as a Kubernetes
// object has it, spec as istioctl decodes it (JSON into the Istio API type,
// unknown fields dropped), and the checks istioctl lacks: a name and
// namespace, a service account (istioctl silently falls back to "default",
// so the VM would get the default account's identity), and names safe to
// put into shell commands and file names.
func decodeGroup(file string, root *yaml.Node) (*Group, []*manifest.Error) {
	var errs []*manifest.Error
	bad := func(n *yaml.Node, path, format string, args ...any) {
		errs = append(errs, manifest.Errorf(file, n, path, format, args...))
	}
	g := &Group{File: file, at: root}
	if _, av := manifest.Lookup(root, "apiVersion"); av != nil {
		av = manifest.Resolve(av)
		ok := false
		for _, v := range groupAPIVersions {
			ok = ok || av.Value == v
		}
		if !ok {
			bad(av, "apiVersion", "%q is not an apiVersion of WorkloadGroup (%s)", av.Value, strings.Join(groupAPIVersions, ", "))
		}
	}
	_, meta := manifest.Lookup(root, "metadata")
	meta = manifest.Resolve(meta)
	if meta == nil || meta.Kind != yaml.MappingNode {
		bad(root, "metadata", "required field missing: a WorkloadGroup needs metadata.name and metadata.namespace")
		return nil, errs
	}
	g.Name = requiredString(file, meta, "metadata", "name", isSubdomain, "a DNS-1123 subdomain", "", &errs)
	g.Namespace = requiredString(file, meta, "metadata", "namespace", isLabel, "a DNS-1123 label",
		": it is ISTIO_NAMESPACE and the service account's namespace, which vm-config cannot guess", &errs)
	if _, ann := manifest.Lookup(meta, "annotations"); ann != nil {
		g.proxyConfigs[0] = proxyConfigNode(file, manifest.Resolve(ann), "metadata.annotations", &errs)
	}
	_, spec := manifest.Lookup(root, "spec")
	spec = manifest.Resolve(spec)
	if spec == nil || spec.Kind != yaml.MappingNode {
		at := spec
		if at == nil {
			at = root
		}
		bad(at, "spec", "a WorkloadGroup needs a spec with template.serviceAccount")
		return nil, errs
	}
	if _, sm := manifest.Lookup(spec, "metadata"); sm != nil {
		if _, ann := manifest.Lookup(manifest.Resolve(sm), "annotations"); ann != nil {
			g.proxyConfigs[1] = proxyConfigNode(file, manifest.Resolve(ann), "spec.metadata.annotations", &errs)
		}
	}
	g.Spec = &netpb.WorkloadGroup{}
	if err := unmarshalLenient(spec, g.Spec); err != nil {
		at, sub := fieldAtFault(spec, func(one *yaml.Node) error { return unmarshalLenient(one, &netpb.WorkloadGroup{}) })
		path := "spec"
		if sub != "" {
			path += "." + sub
		}
		bad(at, path, "not a valid WorkloadGroup spec: %s", err)
		return nil, errs
	}
	tmplPath := "spec.template"
	tmpl, ok := manifest.Find(root, tmplPath)
	if !ok {
		tmpl = spec
	}
	sa := g.Spec.GetTemplate().GetServiceAccount()
	switch {
	case sa == "":
		bad(tmpl, "spec.template.serviceAccount", "required field missing: the VMs' service account (istioctl would fall back to \"default\", giving every VM the namespace's default identity)")
	case !isSubdomain(sa):
		at, _ := manifest.Find(root, "spec.template.serviceAccount")
		bad(at, "spec.template.serviceAccount", "%q is not a service account name (a DNS-1123 subdomain)", sa)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return g, nil
}

// requiredString reads the string key of mapping m, which must satisfy ok
// (what names the syntax); note follows the message when it is missing.
func requiredString(file string, m *yaml.Node, path, key string, ok func(string) bool, what, note string, errs *[]*manifest.Error) string {
	p := manifest.AppendKey(path, key)
	_, v := manifest.Lookup(m, key)
	v = manifest.Resolve(v)
	switch {
	case v == nil || isNull(v):
		*errs = append(*errs, manifest.Errorf(file, m, p, "required field missing%s", note))
	case v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str":
		*errs = append(*errs, manifest.Errorf(file, v, p, "expected a string, got %s", describe(v)))
	case !ok(v.Value):
		*errs = append(*errs, manifest.Errorf(file, v, p, "%q is not %s", v.Value, what))
	default:
		return v.Value
	}
	return ""
}

// proxyConfigNode returns the parsed proxy.istio.io/config annotation of
// the annotations mapping ann, nil when absent or empty (istioctl applies
// an empty one as a no-op).
func proxyConfigNode(file string, ann *yaml.Node, path string, errs *[]*manifest.Error) *yaml.Node {
	if ann.Kind != yaml.MappingNode {
		if !isNull(ann) {
			*errs = append(*errs, manifest.Errorf(file, ann, path, "expected a mapping, got %s", describe(ann)))
		}
		return nil
	}
	_, v := manifest.Lookup(ann, proxyConfigAnnotation)
	v = manifest.Resolve(v)
	if v == nil {
		return nil
	}
	p := manifest.AppendKey(path, proxyConfigAnnotation)
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
		*errs = append(*errs, manifest.Errorf(file, v, p, "expected a string holding a ProxyConfig in YAML, got %s", describe(v)))
		return nil
	}
	n, err := parseEmbedded(file, v, p)
	if err != nil {
		*errs = append(*errs, asError(file, err))
		return nil
	}
	if n == nil || isNull(manifest.Resolve(n)) {
		return nil
	}
	n = manifest.Resolve(n)
	if err := checkProxyMetadata(file, n, p); err != nil {
		*errs = append(*errs, asError(file, err))
		return nil
	}
	if err := applyYAML(n, &meshpb.ProxyConfig{}); err != nil {
		at, sub := fieldAtFault(n, func(one *yaml.Node) error { return applyYAML(one, &meshpb.ProxyConfig{}) })
		if sub != "" {
			p += "." + sub
		}
		*errs = append(*errs, manifest.Errorf(file, at, p, "not a valid ProxyConfig: %s", err))
		return nil
	}
	return n
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
