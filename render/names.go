package render

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// protocols lists Istio's protocols in the order Istio documents them; the
// lower-case spelling is both the port-name prefix and the appProtocol value.
var protocols = []Protocol{ProtoHTTP, ProtoHTTP2, ProtoHTTPS, ProtoGRPC, ProtoGRPCWeb, ProtoTCP, ProtoTLS, ProtoMongo, ProtoMySQL, ProtoRedis, ProtoUDP}

func protocolNames() []string {
	out := make([]string, len(protocols))
	for i, p := range protocols {
		out[i] = string(p)
	}
	return out
}

// parseProtocol accepts a protocol name in any case ("tcp", "TCP", "grpc-web").
func parseProtocol(s string) (Protocol, bool) {
	for _, p := range protocols {
		if strings.EqualFold(s, string(p)) {
			return p, true
		}
	}
	return "", false
}

// AppProtocol is the Service appProtocol value Istio reads for p.
func (p Protocol) AppProtocol() string { return strings.ToLower(string(p)) }

// protocolFromName applies Istio's port-naming convention: the name is the
// protocol or starts with "<protocol>-". grpc-web is tried before grpc so
// "grpc-web-api" is gRPC-Web, as Istio reads it.
func protocolFromName(name string) (Protocol, bool) {
	var best Protocol
	for i, p := range protocols {
		pre := protocolPrefixes[i]
		if strings.HasPrefix(name, pre) && (len(name) == len(pre) || name[len(pre)] == '-') && len(pre) > len(best) {
			best = p
		}
	}
	return best, best != ""
}

// protocolPrefixes are the AppProtocol of protocols, in their order:
// protocolFromName runs for every port of every fleet.
var protocolPrefixes = func() []string {
	out := make([]string, len(protocols))
	for i, p := range protocols {
		out[i] = p.AppProtocol()
	}
	return out
}()

// EffectiveProtocol is the port's protocol: the explicit one, else the one
// its name carries; ok is false when neither gives one (Istio would sniff).
func (p Port) EffectiveProtocol() (proto Protocol, ok bool) {
	if p.Protocol != "" {
		return p.Protocol, true
	}
	return protocolFromName(p.Name)
}

// appProtocol is the Service port appProtocol: set only when an explicit
// protocol is not already carried by the name, so a port named postgres with
// protocol TCP is not left to protocol sniffing.
func (p Port) appProtocol() string {
	if p.Protocol == "" {
		return ""
	}
	if byName, ok := protocolFromName(p.Name); ok && byName == p.Protocol {
		return ""
	}
	return p.Protocol.AppProtocol()
}

// Kubernetes name and label syntax.
var (
	dns1123LabelRE     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1123SubdomainRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	labelValueRE       = regexp.MustCompile(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)
	qualifiedNameRE    = regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	ianaSvcNameRE      = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	trustDomainRE      = regexp.MustCompile(`^[a-z0-9._-]+$`)
	localityRE         = regexp.MustCompile(`^[^/\s]+(/[^/\s]+){0,2}$`)
	httpTokenRE        = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

// dns1123Label explains why s is not a DNS-1123 label, or returns "".
func dns1123Label(s string) string {
	switch {
	case len(s) > 63:
		return fmt.Sprintf("%q is not a DNS-1123 label: longer than 63 characters", s)
	case !dns1123LabelRE.MatchString(s):
		return fmt.Sprintf("%q is not a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit", s)
	}
	return ""
}

// dns1123Subdomain explains why s is not a DNS-1123 subdomain, or returns "".
func dns1123Subdomain(s string) string {
	switch {
	case len(s) > 253:
		return fmt.Sprintf("%q is not a DNS-1123 subdomain: longer than 253 characters", s)
	case !dns1123SubdomainRE.MatchString(s):
		return fmt.Sprintf("%q is not a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit", s)
	}
	return ""
}

// ianaSvcName explains why s is not an IANA_SVC_NAME (a Kubernetes port
// name), or returns "".
func ianaSvcName(s string) string {
	switch {
	case len(s) > 15:
		return fmt.Sprintf("%q is not a valid port name: longer than 15 characters", s)
	case !ianaSvcNameRE.MatchString(s), strings.Contains(s, "--"):
		return fmt.Sprintf("%q is not a valid port name: lower-case letters, digits and single '-', starting and ending with a letter or digit", s)
	case !strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz"):
		return fmt.Sprintf("%q is not a valid port name: it needs at least one letter", s)
	}
	return ""
}

// labelKey explains why k is not a Kubernetes label key, or returns "".
func labelKey(k string) string {
	name := k
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		prefix := k[:i]
		name = k[i+1:]
		if prefix == "" || dns1123Subdomain(prefix) != "" {
			return fmt.Sprintf("label key %q: the prefix must be a DNS-1123 subdomain", k)
		}
	}
	if len(name) == 0 || len(name) > 63 || !qualifiedNameRE.MatchString(name) {
		return fmt.Sprintf("label key %q: the name must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", k)
	}
	return ""
}

// labelValue explains why v is not a Kubernetes label value, or returns "".
func labelValue(v string) string {
	if len(v) > 63 || !labelValueRE.MatchString(v) {
		return fmt.Sprintf("label value %q: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", v)
	}
	return ""
}

// vmName derives a VM's default name from its address: the IPv4 dotted quad
// with '-' (10.0.1.5 → 10-0-1-5), or all eight IPv6 groups in hex without
// leading zeros joined by '-' (fd00::1 → fd00-0-0-0-0-0-0-1). Writing every
// group keeps the name unique (no "::" compression to collide) and a valid
// DNS-1123 label (at most 39 characters, hex digits and '-').
func vmName(a netip.Addr) string {
	if a.Is4() {
		return strings.ReplaceAll(a.String(), ".", "-")
	}
	b := a.As16()
	parts := make([]string, 8)
	for i := range parts {
		parts[i] = strconv.FormatUint(uint64(b[2*i])<<8|uint64(b[2*i+1]), 16)
	}
	return strings.Join(parts, "-")
}

// apiVersions picks the Istio API versions for opts.IstioVersion: v1 from
// Istio 1.22, v1beta1 before.
func apiVersions(istio string) (networking, security string, err error) {
	if istio == "" {
		return "networking.istio.io/v1", "security.istio.io/v1", nil
	}
	major, minor, ok := parseIstioVersion(istio)
	if !ok {
		return "", "", fmt.Errorf("invalid Istio version %q (want MAJOR.MINOR[.PATCH], e.g. 1.22)", istio)
	}
	if major > 1 || major == 1 && minor >= 22 {
		return "networking.istio.io/v1", "security.istio.io/v1", nil
	}
	return "networking.istio.io/v1beta1", "security.istio.io/v1beta1", nil
}

var istioVersionRE = regexp.MustCompile(`^v?(\d+)\.(\d+)(\.\d+)?(-[0-9A-Za-z.-]+)?$`)

func parseIstioVersion(s string) (major, minor int, ok bool) {
	m := istioVersionRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(m[1])
	minor, err2 := strconv.Atoi(m[2])
	return major, minor, err1 == nil && err2 == nil
}
