// Package vmconfig writes, offline, the files a VM needs to join the mesh:
// cluster.env, mesh.yaml and hosts with the bytes `istioctl x workload entry
// configure` (istioctl/pkg/workload/workload.go) writes for the same
// WorkloadGroup, mesh config, cluster ID, revision and addresses, plus an
// install script, a systemd drop-in and SECRETS.md telling how to get the
// two files it never invents (istio-token, root-cert.pem).
package vmconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/golang/protobuf/jsonpb" //nolint:staticcheck // what istioctl's protomarshal writes with
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	meshpb "istio.io/api/mesh/v1alpha1"
	"sigs.k8s.io/yaml"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/render"
)

// Options are the operator's: what istioctl would read from the cluster or
// its flags.
type Options struct {
	// ClusterID is ISTIO_META_CLUSTER_ID (istioctl --clusterID).
	ClusterID string
	// Revision is the istiod revision; "" and "default" mean none.
	Revision string
	// IstioNamespace is istiod's namespace; "" means istio-system.
	IstioNamespace string
	// InternalIP or ExternalIP is the VM's address (ISTIO_SVC_IP), for a
	// WorkloadGroup; a VMFleet's VMs bring their own.
	InternalIP string
	ExternalIP string
	// IngressIP is the east-west gateway's address: the hosts line.
	IngressIP string
	// AutoRegister sets ISTIO_META_AUTO_REGISTER_GROUP.
	AutoRegister bool
	// CaptureDNS sets ISTIO_META_DNS_CAPTURE=true (istioctl's default).
	CaptureDNS bool
	// RootCert, when set, is written as root-cert.pem.
	RootCert []byte
}

// Usage errors: the operator's flags are wrong, not the input.
var (
	ErrBothIPs = errors.New("--internal-ip and --external-ip are mutually exclusive")
)

func (o *Options) istioNamespace() string {
	if o.IstioNamespace == "" {
		return "istio-system"
	}
	return o.IstioNamespace
}

// isRevisioned is istioctl's isRevisioned: "default" is no revision.
func isRevisioned(rev string) bool { return rev != "" && rev != "default" }

// istiodHost is istioctl's IstiodHost: istiod[-REV].NS.svc.
func (o *Options) istiodHost() string {
	h := "istiod"
	if isRevisioned(o.Revision) {
		h += "-" + o.Revision
	}
	return h + "." + o.istioNamespace() + ".svc"
}

// istiodAddr is istioctl's IstiodAddr: the host on port 15012.
func (o *Options) istiodAddr() string { return o.istiodHost() + ":15012" }

// controlRE refuses control characters in a flag value that lands in a file.
var controlRE = regexp.MustCompile(`[\x00-\x1f\x7f]`)

// Check validates the options on their own; src-dependent checks are in
// Files.
func (o *Options) Check() error {
	switch {
	case o.ClusterID == "":
		return errors.New("--cluster-id is required: offline there is no injector config to read it from (istioctl reads .Values.global.multiCluster.clusterName; \"Kubernetes\" when unset)")
	case controlRE.MatchString(o.ClusterID):
		return errors.New("--cluster-id: control characters are not allowed")
	case o.Revision != "" && !isLabel(o.Revision):
		return fmt.Errorf("--revision: %q is not a DNS-1123 label (it names the istiod-REV Service)", o.Revision)
	case o.IstioNamespace != "" && !isLabel(o.IstioNamespace):
		return fmt.Errorf("--istio-namespace: %q is not a DNS-1123 label", o.IstioNamespace)
	case o.InternalIP != "" && o.ExternalIP != "":
		return ErrBothIPs
	}
	for _, f := range []struct{ flag, v string }{{"--internal-ip", o.InternalIP}, {"--external-ip", o.ExternalIP}, {"--ingress-ip", o.IngressIP}} {
		if f.v != "" {
			if err := checkIP(f.v); err != nil {
				return fmt.Errorf("%s: %w", f.flag, err)
			}
		}
	}
	return nil
}

// checkIP accepts what istioctl's IP checks accept (netip.ParseAddr), less
// IPv6 zones: a zone names an interface of the machine that wrote the file.
func checkIP(s string) error {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return fmt.Errorf("%q is not an IP address", s)
	}
	if a.Zone() != "" {
		return fmt.Errorf("%q carries an IPv6 zone, which means nothing on another machine", s)
	}
	return nil
}

// Files returns the files for src under DIR, sorted by path: for a
// WorkloadGroup at the top of DIR, for a VMFleet one directory per VM
// (DIR/<vm name>/). mesh may be nil (an empty mesh config). Errors are
// *manifest.Error positioned in the input, or plain errors for flags.
func Files(src *Source, mesh *Mesh, opts Options) ([]render.OutFile, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	if mesh == nil {
		mesh, _ = meshFrom("", nil)
	}
	var files []render.OutFile
	if src.Fleet == nil {
		fs, err := vmFiles("", src.Group, nil, mesh, opts)
		if err != nil {
			return nil, err
		}
		files = fs
	} else {
		switch {
		case opts.InternalIP != "" || opts.ExternalIP != "":
			return nil, errors.New("--internal-ip and --external-ip are for a WorkloadGroup: a VMFleet's addresses are its spec.vms")
		case opts.AutoRegister:
			return nil, errors.New("--autoregister: the VMFleet's vms are registered by the WorkloadEntries render writes; auto-registration would register each a second time")
		}
		for i := range src.VMs {
			vm := &src.VMs[i]
			o := opts
			o.InternalIP = vm.Address
			fs, err := vmFiles(vm.Name, src.Group, vm, mesh, o)
			if err != nil {
				return nil, err
			}
			files = append(files, fs...)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// vmFiles writes one VM's directory, dir ("" for DIR itself).
func vmFiles(dir string, g *Group, vm *VM, mesh *Mesh, opts Options) ([]render.OutFile, error) {
	pc, err := proxyConfig(g, vm, mesh, opts)
	if err != nil {
		return nil, err
	}
	meshYAML, err := marshalMesh(pc)
	if err != nil {
		return nil, err
	}
	out := []render.OutFile{
		{Path: "cluster.env", Data: clusterEnv(g, pc, opts)},
		{Path: "mesh.yaml", Data: meshYAML},
		{Path: "hosts", Data: hosts(opts)},
		{Path: "SECRETS.md", Data: secrets(g, vm, opts)},
		{Path: InstallScriptName, Data: []byte(installScript)},
		{Path: DropInName, Data: []byte(dropIn)},
	}
	if opts.RootCert != nil {
		out = append(out, render.OutFile{Path: "root-cert.pem", Data: opts.RootCert})
	}
	for i := range out {
		out[i].Path = path.Join(dir, out[i].Path)
	}
	return out, nil
}

// proxyConfig is istioctl's createMeshConfig: the mesh's defaultConfig,
// istiod's address for a revision, the proxy.istio.io/config annotations
// (metadata, then spec.metadata: the latter wins), the group's probe, then
// the values the command sets itself, which win over all.
func proxyConfig(g *Group, vm *VM, mesh *Mesh, opts Options) (*meshpb.ProxyConfig, error) {
	// istioctl starts from a defaultConfig with an empty proxyMetadata; a
	// mesh config that sets defaultConfig replaces it whole.
	mc := proto.Clone(mesh.config).(*meshpb.MeshConfig)
	pc := mc.GetDefaultConfig()
	if pc == nil {
		// `defaultConfig: {}` in YAML is a message; only a hand-built
		// MeshConfig lacks one.
		pc = &meshpb.ProxyConfig{}
	}
	if isRevisioned(opts.Revision) && pc.GetDiscoveryAddress() == "" {
		pc.DiscoveryAddress = opts.istiodAddr()
	}
	// An annotation's proxyMetadata replaces the field (jsonpb), so
	// istioctl merges it into the mesh's map itself, key by key. Where the
	// mesh's defaultConfig has no proxyMetadata that map is nil and istioctl
	// panics writing into it; meshfleet merges into an empty map instead.
	md := pc.GetProxyMetadata()
	for _, n := range g.proxyConfigs {
		if n == nil {
			continue
		}
		if err := applyYAML(n, pc); err != nil {
			return nil, manifest.Errorf(g.File, n, "", "not a valid ProxyConfig: %s", err)
		}
		for k, v := range pc.GetProxyMetadata() {
			if md == nil {
				md = map[string]string{}
			}
			md[k] = v
		}
	}
	if md == nil {
		md = map[string]string{}
	}
	pc.ProxyMetadata = md

	tmpl := g.Spec.GetTemplate()
	labels := map[string]string{}
	for k, v := range g.Spec.GetMetadata().GetLabels() {
		labels[k] = v
	}
	// Template labels override the group's (istioctl warns that they
	// should be in spec.metadata); a fleet VM's own labels come in here,
	// as its WorkloadEntry carries them.
	for k, v := range tmpl.GetLabels() {
		labels[k] = v
	}
	network := tmpl.GetNetwork()
	if vm != nil {
		for k, v := range vm.Labels {
			labels[k] = v
		}
		// A VM's network (spec.vms[].network, default spec.network) is
		// the one its WorkloadEntry declares: the proxy must say the same.
		network = vm.Network
	}
	pc.ReadinessProbe = g.Spec.GetProbe()

	md["CANONICAL_SERVICE"], md["CANONICAL_REVISION"] = canonicalService(labels, g.Name)
	md["POD_NAMESPACE"] = g.Namespace
	md["SERVICE_ACCOUNT"] = tmpl.GetServiceAccount()
	md["TRUST_DOMAIN"] = mc.GetTrustDomain()
	md["ISTIO_META_CLUSTER_ID"] = opts.ClusterID
	md["ISTIO_META_MESH_ID"] = pc.GetMeshId()
	md["ISTIO_META_NETWORK"] = network
	if ports := podPorts(tmpl.GetPorts()); ports != "" {
		md["ISTIO_META_POD_PORTS"] = ports
	}
	md["ISTIO_META_WORKLOAD_NAME"] = g.Name
	labels["service.istio.io/canonical-name"] = md["CANONICAL_SERVICE"]
	labels["service.istio.io/canonical-revision"] = md["CANONICAL_REVISION"]
	if js, err := json.Marshal(labels); err == nil {
		md["ISTIO_METAJSON_LABELS"] = string(js)
	}
	// istioctl sets these only when asked; otherwise a value from the mesh
	// config or the annotation stays.
	if opts.CaptureDNS {
		md["ISTIO_META_DNS_CAPTURE"] = "true"
	}
	if opts.AutoRegister {
		md["ISTIO_META_AUTO_REGISTER_GROUP"] = g.Name
	}
	return pc, nil
}

// canonicalService is Istio's labels.CanonicalService: the canonical name
// from service.istio.io/canonical-name, app.kubernetes.io/name or app, else
// the workload name; the revision from service.istio.io/canonical-revision,
// app.kubernetes.io/version or version, else "latest".
func canonicalService(labels map[string]string, workload string) (name, revision string) {
	name, revision = workload, "latest"
	for _, k := range []string{"service.istio.io/canonical-name", "app.kubernetes.io/name", "app"} {
		if v, ok := labels[k]; ok {
			name = v
			break
		}
	}
	for _, k := range []string{"service.istio.io/canonical-revision", "app.kubernetes.io/version", "version"} {
		if v, ok := labels[k]; ok {
			revision = v
			break
		}
	}
	return name, revision
}

// podPort is Istio's model.PodPort as JSON.
type podPort struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

// podPorts is istioctl's marshalWorkloadEntryPodPorts: the template ports
// as PodPorts sorted by name, "" for none.
func podPorts(ports map[string]uint32) string {
	if len(ports) == 0 {
		return ""
	}
	out := make([]podPort, 0, len(ports))
	for _, name := range sortedKeys(ports) {
		out = append(out, podPort{Name: name, ContainerPort: int(ports[name])})
	}
	js, err := json.Marshal(out)
	if err != nil {
		return ""
	}
	return string(js)
}

// marshalMesh is istioctl's mesh.yaml: the ProxyConfig as jsonpb writes
// it (protomarshal.ToJSONMap), read back into plain maps and written by
// sigs.k8s.io/yaml under defaultConfig (keys sorted, YAML 1.1 quoting).
func marshalMesh(pc *meshpb.ProxyConfig) ([]byte, error) {
	js, err := (&jsonpb.Marshaler{}).MarshalToString(protoadapt.MessageV1Of(pc))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return nil, err
	}
	return yaml.Marshal(map[string]any{"defaultConfig": m})
}

// clusterEnv is istioctl's createClusterEnv: the proxyMetadata of the
// final ProxyConfig, overridden by the group's and the command's values,
// one KEY=value line each, sorted, quoted by istioctl's shellescape.Quote.
func clusterEnv(g *Group, pc *meshpb.ProxyConfig, opts Options) []byte {
	tmpl := g.Spec.GetTemplate()
	// istioctl joins the port numbers in Go map order, which differs from
	// run to run; meshfleet sorts them (numbers, then names) so the file
	// is stable. The sidecar reads the list as a set.
	inbound := "*"
	if ports := tmpl.GetPorts(); len(ports) > 0 {
		names := sortedKeys(ports)
		sort.SliceStable(names, func(i, j int) bool { return ports[names[i]] < ports[names[j]] })
		nums := make([]string, len(names))
		for i, n := range names {
			nums[i] = strconv.FormatUint(uint64(ports[n]), 10)
		}
		inbound = strings.Join(nums, ",")
	}
	// 22 (ssh), 15090 (Prometheus) and 15021 (health) are never captured;
	// nor is the agent's status port, 15020 unless the ProxyConfig says.
	exclude := "22,15090,15021"
	if sp := pc.GetStatusPort(); sp != 15090 && sp != 15021 {
		if sp != 0 {
			exclude += "," + strconv.FormatInt(int64(sp), 10)
		} else {
			exclude += ",15020"
		}
	}
	env := map[string]string{}
	for k, v := range pc.GetProxyMetadata() {
		env[k] = v
	}
	env["ISTIO_INBOUND_PORTS"] = inbound
	env["ISTIO_NAMESPACE"] = g.Namespace
	env["ISTIO_SERVICE"] = g.Name + "." + g.Namespace
	env["ISTIO_SERVICE_CIDR"] = "*"
	env["ISTIO_LOCAL_EXCLUDE_PORTS"] = exclude
	env["SERVICE_ACCOUNT"] = tmpl.GetServiceAccount()
	if isRevisioned(opts.Revision) {
		env["CA_ADDR"] = opts.istiodAddr()
	}
	if opts.InternalIP != "" {
		env["ISTIO_SVC_IP"] = opts.InternalIP
	} else if opts.ExternalIP != "" {
		env["ISTIO_SVC_IP"] = opts.ExternalIP
		env["REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION"] = "true"
	}
	// istioctl sorts whole "KEY=value" lines, not keys: "A0=" comes
	// before "A=" ('0' < '='). So does meshfleet.
	lines := make([]string, 0, len(env))
	for k, v := range env {
		lines = append(lines, k+"="+shellQuote(v))
	}
	sort.Strings(lines)
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// shellUnsafe is istioctl's shellescape pattern `[^\\w@%+=:,./-]`: in a Go
// raw string `\\w` is a backslash and the letter w, not \w, so every
// character but those listed (backslash, w, @ % + = : , . / -) makes a
// value quoted. Nearly every value is quoted therefore; a value such as
// "/" or "w" is written bare, as istioctl writes it.
var shellUnsafe = regexp.MustCompile(`[^\\w@%+=:,./-]`)

// shellQuote is istioctl's shellescape.Quote: a pair of single quotes for
// the empty string,
// the value bare when nothing in it is unsafe, else in single quotes with
// each ' written as '"'"'.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if shellUnsafe.MatchString(s) {
		return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
	}
	return s
}

// hosts is istioctl's createHosts given --ingressIP: one line mapping
// istiod's host to the gateway, or an empty file without an address
// (istioctl would look the east-west gateway up in the cluster).
func hosts(opts Options) []byte {
	if opts.IngressIP == "" {
		return []byte{}
	}
	return []byte(opts.IngressIP + " " + opts.istiodHost() + "\n")
}
