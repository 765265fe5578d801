package lint

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// istiodProblems are the rejections of istiod's validating webhook that the
// CRD schemas do not state: whole-object rules (a Sidecar with nothing in
// it, a DENY policy without rules, a TLS route whose SNI host is outside the
// VirtualService's hosts) that `istioctl analyze` reports as IST0106. They
// are MF101 problems: the object never reaches the mesh, so it takes no part
// in resolution either (schemaInvalid). Only rules decidable from the object
// alone are here; nothing depends on mesh config or cluster state, and
// istiod's warnings (IST0133) are left to the rules that judge their effect,
// and so is a split whose weights add up to 0: istiod rejects it, but MF304
// reports it with the split's effect.
// The input may still be schema-invalid in any way: every read is
// type-tolerant and a field of the wrong type is simply not judged here.
func istiodProblems(apiVersion, kind string, obj map[string]any) []Problem {
	group, _, _ := strings.Cut(apiVersion, "/")
	if !strings.HasSuffix(group, ".istio.io") {
		return nil // Kubernetes kinds: nothing to add to their schemas
	}
	spec := mapOf(obj["spec"])
	meta := mapOf(obj["metadata"])
	v := &istiodCheck{namespace: str(meta["namespace"])}
	if v.namespace == "" {
		v.namespace = "default"
	}
	switch group {
	case "networking.istio.io":
		switch kind {
		case "Sidecar":
			v.sidecar(spec)
		case "VirtualService":
			v.virtualService(spec)
		case "DestinationRule":
			v.destinationRule(spec)
		case "ServiceEntry":
			v.serviceEntry(spec)
		case "Gateway":
			v.gateway(spec)
		case "WorkloadEntry":
			v.workloadEntry("spec", spec)
		case "WorkloadGroup":
			if spec != nil && spec["template"] == nil {
				v.add("spec.template", "istiod rejects a WorkloadGroup without a template: add spec.template (it may be empty, {})")
			}
		}
	case "security.istio.io":
		switch kind {
		case "AuthorizationPolicy":
			v.targetRefs(spec)
			v.authorizationPolicy(spec)
		case "PeerAuthentication":
			v.peerAuthentication(spec)
		case "RequestAuthentication":
			v.targetRefs(spec)
			v.requestAuthentication(spec)
		}
	case "telemetry.istio.io":
		if kind == "Telemetry" {
			v.targetRefs(spec)
		}
	}
	return v.out
}

type istiodCheck struct {
	namespace string
	out       []Problem
}

func (v *istiodCheck) add(path, msg string) {
	v.out = append(v.out, Problem{Path: path, Message: path + ": " + msg})
}

func idx(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// present reports whether key is set to something other than null.
func present(m map[string]any, key string) bool {
	x, ok := m[key]
	return ok && x != nil
}

// nonEmpty reports whether m[key] is a non-empty list (protobuf reads an
// empty list as an unset field).
func nonEmpty(m map[string]any, key string) bool { return len(listOf(m[key])) > 0 }

var (
	dnsLabelRE         = regexp.MustCompile(`^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$`)
	wildcardDNSLabelRE = regexp.MustCompile(`^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$`)
	lowerDNSLabelRE    = regexp.MustCompile(`^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$`)
)

func isDNSLabel(s string) bool { return len(s) <= 63 && dnsLabelRE.MatchString(s) }

// fqdnError is istiod's FQDN check: at most 255 characters, DNS-1123
// labels, a top-level label that is not all digits (a trailing dot is
// allowed).
func fqdnError(d string) string {
	if d == "" {
		return "empty domain name"
	}
	if len(d) > 255 {
		return "domain name longer than 255 characters"
	}
	return labelsError(d)
}

func labelsError(d string) string {
	parts := strings.Split(d, ".")
	if _, err := strconv.Atoi(parts[len(parts)-1]); err == nil {
		return "top-level domain " + strconv.Quote(parts[len(parts)-1]) + " is all digits"
	}
	for i, l := range parts {
		if i == len(parts)-1 && l == "" {
			return ""
		}
		if !isDNSLabel(l) {
			return "label " + strconv.Quote(l) + " is not a DNS-1123 label"
		}
	}
	return ""
}

// wildcardDomainError is fqdnError allowing a wildcard first label ("*",
// "*.example.com", "*-api.example.com").
func wildcardDomainError(d string) string {
	if d == "" {
		return "empty domain name"
	}
	if len(d) > 255 {
		return "domain name longer than 255 characters"
	}
	first, rest, dotted := strings.Cut(d, ".")
	if len(first) > 63 || !wildcardDNSLabelRE.MatchString(first) {
		return "label " + strconv.Quote(first) + " is not a DNS-1123 label (a wildcard may only lead the first one)"
	}
	if dotted {
		return labelsError(rest)
	}
	return ""
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// ipOrCIDR is istiod's check of an address list entry: a CIDR when it holds
// one slash, else an IP address.
func ipOrCIDR(s string) bool {
	if strings.Count(s, "/") == 1 {
		_, err := netip.ParsePrefix(s)
		return err == nil
	}
	return isIP(s)
}

// ipOrCIDRLoose is the AuthorizationPolicy form: any slash makes it a CIDR.
func ipOrCIDRLoose(s string) bool {
	if strings.Contains(s, "/") {
		_, err := netip.ParsePrefix(s)
		return err == nil
	}
	return isIP(s)
}

// hostSubsetOf is Istio's host.Name.SubsetOf: equal, or covered by a
// wildcard host ("*.b.com" covers "a.b.com" and "*.a.b.com"; "*" covers all).
func hostSubsetOf(n, o string) bool {
	if n == o {
		return true
	}
	if strings.HasPrefix(o, "*") {
		if strings.HasPrefix(n, "*") {
			return strings.HasSuffix(n[1:], o[1:])
		}
		return strings.HasSuffix(n, o[1:])
	}
	return false
}

// hostsOverlap is Istio's host.Name.Matches: one host covers the other.
func hostsOverlap(a, b string) bool {
	aw, bw := strings.HasPrefix(a, "*"), strings.HasPrefix(b, "*")
	switch {
	case aw && bw:
		return strings.HasSuffix(a[1:], b[1:]) || strings.HasSuffix(b[1:], a[1:])
	case aw:
		return strings.HasSuffix(b, a[1:])
	case bw:
		return strings.HasSuffix(a, b[1:])
	}
	return a == b
}

// ---- Sidecar

func (v *istiodCheck) sidecar(spec map[string]any) {
	if !nonEmpty(spec, "egress") && !nonEmpty(spec, "ingress") && !present(spec, "outboundTrafficPolicy") && !present(spec, "inboundConnectionPool") {
		v.add("spec", "istiod rejects a Sidecar with an empty configuration: set egress, ingress, outboundTrafficPolicy or inboundConnectionPool (e.g. egress hosts [\"./*\", \"istio-system/*\"]), or delete the Sidecar")
		return
	}
	ports := map[int64]bool{}
	for i, in := range listOf(spec["ingress"]) {
		p := idx("spec.ingress", i)
		im := mapOf(in)
		if im == nil {
			continue
		}
		port := mapOf(im["port"])
		if port == nil {
			v.add(p+".port", "istiod rejects a Sidecar ingress listener without a port: add port {number, protocol, name}")
			continue
		}
		n, _ := number(port["number"])
		if ports[n] {
			v.add(p+".port.number", "istiod rejects a Sidecar whose ingress listeners share port "+strconv.FormatInt(n, 10)+": give each listener its own port")
		}
		ports[n] = true
		v.portProtocol(p+".port.protocol", port["protocol"])
		if ep := str(im["defaultEndpoint"]); ep != "" && !strings.HasPrefix(ep, "unix://") {
			host, portStr, err := splitHostPort(ep)
			if err != "" || (host != "" && host != "127.0.0.1" && host != "0.0.0.0" && host != "::1" && host != "::") {
				v.add(p+".defaultEndpoint", "istiod rejects defaultEndpoint "+strconv.Quote(ep)+": use 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>")
			} else if n, e := strconv.Atoi(portStr); e != nil || n < 1 || n > 65535 {
				v.add(p+".defaultEndpoint", "istiod rejects defaultEndpoint "+strconv.Quote(ep)+": its port must be a number in 1..65535")
			}
		}
		if tls := mapOf(im["tls"]); tls != nil {
			mode := str(tls["mode"])
			if mode == "ISTIO_MUTUAL" || mode == "AUTO_PASSTHROUGH" {
				v.add(p+".tls.mode", "istiod rejects tls mode "+mode+" on a Sidecar ingress listener: use SIMPLE, MUTUAL or OPTIONAL_MUTUAL with certificate files")
			}
			if str(tls["credentialName"]) != "" {
				v.add(p+".tls.credentialName", "istiod rejects credentialName on a Sidecar ingress listener: mount the certificate and set serverCertificate and privateKey")
			}
			if b, _ := tls["httpsRedirect"].(bool); b {
				v.add(p+".tls.httpsRedirect", "istiod rejects httpsRedirect on a Sidecar ingress listener: remove it")
			}
			if mode != "ISTIO_MUTUAL" && mode != "AUTO_PASSTHROUGH" {
				v.serverTLS(p+".tls", tls)
			}
		}
	}
	ports = map[int64]bool{}
	egress := listOf(spec["egress"])
	catchAll := false
	for i, e := range egress {
		p := idx("spec.egress", i)
		em := mapOf(e)
		if em == nil {
			continue
		}
		if port := mapOf(em["port"]); port == nil {
			switch {
			case catchAll:
				v.add(p, "istiod rejects a Sidecar with more than one egress listener without a port: merge their hosts into one listener")
			case i != len(egress)-1:
				v.add(p, "istiod rejects a Sidecar whose egress listener without a port is not the last one: move it to the end of egress")
			default:
				catchAll = true
			}
		} else {
			v.portProtocol(p+".port.protocol", port["protocol"])
			if n, _ := number(port["number"]); n != 0 {
				if ports[n] {
					v.add(p+".port.number", "istiod rejects a Sidecar whose egress listeners share port "+strconv.FormatInt(n, 10)+": give each listener its own port")
				}
				ports[n] = true
			}
		}
		hosts := listOf(em["hosts"])
		if len(hosts) == 0 {
			v.add(p+".hosts", "istiod rejects a Sidecar egress listener without hosts: list them as namespace/host, e.g. \"./*\"")
		}
		for j, h := range hosts {
			if hs, ok := h.(string); ok {
				if msg := nsSlashHostError(hs, false); msg != "" {
					v.add(idx(p+".hosts", j), "istiod rejects egress host "+strconv.Quote(hs)+": "+msg)
				}
			}
		}
	}
	if otp := mapOf(spec["outboundTrafficPolicy"]); otp != nil && present(otp, "egressProxy") && str(otp["mode"]) != "ALLOW_ANY" {
		v.add("spec.outboundTrafficPolicy.egressProxy", "istiod rejects egressProxy unless outboundTrafficPolicy mode is ALLOW_ANY: set mode: ALLOW_ANY or remove egressProxy")
	}
}

// splitHostPort is net.SplitHostPort's grammar for the forms a Sidecar
// defaultEndpoint may take, reporting a malformed address as a message.
func splitHostPort(s string) (host, port, err string) {
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 || !strings.HasPrefix(s[end+1:], ":") {
			return "", "", "malformed"
		}
		return s[1:end], s[end+2:], ""
	}
	i := strings.LastIndex(s, ":")
	if i < 0 || strings.Contains(s[:i], ":") {
		return "", "", "malformed"
	}
	return s[:i], s[i+1:], ""
}

// nsSlashHostError is istiod's namespace/host check for Sidecar egress and
// Gateway server hosts; a Gateway also takes a bare host (the old form) and
// IP addresses.
func nsSlashHostError(h string, gateway bool) string {
	ns, host, ok := strings.Cut(h, "/")
	if !ok {
		if gateway {
			return hostPartError(h, true)
		}
		return "must be namespace/host (e.g. \"./*\", \"istio-system/*\", \"*/api.example.com\")"
	}
	if ns == "" || host == "" {
		return "namespace and host must both be set"
	}
	if ns != "*" && ns != "." && (gateway || ns != "~") && !isDNSLabel(ns) {
		return "namespace " + strconv.Quote(ns) + " is not \"*\", \".\" or a namespace name"
	}
	return hostPartError(host, gateway)
}

func hostPartError(h string, gateway bool) string {
	if h != "*" && !strings.Contains(h, ".") {
		return "short names are not allowed: write the FQDN (e.g. cart.shop.svc.cluster.local)"
	}
	if msg := wildcardDomainError(h); msg != "" && !(gateway && isIP(h)) {
		return msg
	}
	if strings.Contains(h, "*") && len(h) != 1 && !strings.HasPrefix(h, "*.") {
		return "partial wildcards are not allowed: use \"*\" or \"*.example.com\""
	}
	return ""
}

// portProtocol reports a protocol Istio does not know (empty means sniffed).
func (v *istiodCheck) portProtocol(path string, p any) {
	s, ok := p.(string)
	if !ok || s == "" {
		return
	}
	if !knownProtocol(s) {
		v.add(path, "istiod rejects unknown protocol "+strconv.Quote(s)+": use one of HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS, MYSQL, UDP")
	}
}

func knownProtocol(s string) bool {
	switch strings.ToLower(s) {
	case "tcp", "udp", "grpc", "grpc-web", "http", "http_proxy", "http2", "https", "tls", "mongo", "redis", "mysql", "hbone":
		return true
	}
	return false
}

// ---- AuthorizationPolicy

var sourceFields = []string{"principals", "requestPrincipals", "namespaces", "ipBlocks", "remoteIpBlocks",
	"notPrincipals", "notRequestPrincipals", "notNamespaces", "notIpBlocks", "notRemoteIpBlocks"}

var operationFields = []string{"ports", "methods", "paths", "hosts", "notPorts", "notMethods", "notPaths", "notHosts"}

func (v *istiodCheck) authorizationPolicy(spec map[string]any) {
	action := str(spec["action"])
	rules := listOf(spec["rules"])
	provider := mapOf(spec["provider"])
	switch action {
	case "DENY", "CUSTOM":
		if len(rules) == 0 {
			v.add("spec", "istiod rejects a "+action+" policy without rules: it would never apply; add the rules it should match, or an empty rule `rules: [{}]` to apply it to every request")
		}
	}
	if action == "CUSTOM" && len(rules) > 0 && str(provider["name"]) == "" {
		v.add("spec.provider", "istiod rejects a CUSTOM policy without provider.name: name the extension provider from meshConfig.extensionProviders")
	}
	if present(spec, "provider") && action != "CUSTOM" {
		v.add("spec.provider", "istiod rejects provider on a policy whose action is not CUSTOM: remove provider or set action: CUSTOM")
	}
	for i, r := range rules {
		p := idx("spec.rules", i)
		rm, ok := r.(map[string]any)
		if !ok {
			if r == nil {
				v.add(p, "istiod rejects a null rule: remove it, or write {} for a rule matching every request")
			}
			continue
		}
		for j, f := range listOf(rm["from"]) {
			fp := idx(p+".from", j)
			src := mapOf(mapOf(f)["source"])
			if src == nil {
				v.add(fp, "istiod rejects a from entry without source: add source with the principals, namespaces or ipBlocks to match, or remove the entry")
				continue
			}
			v.nonEmptyList(fp+".source", src, sourceFields, "source")
			for _, k := range []string{"ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"} {
				for n, x := range listOf(src[k]) {
					if s, ok := x.(string); ok && s != "" && !ipOrCIDRLoose(s) {
						v.add(idx(fp+".source."+k, n), "istiod rejects "+strconv.Quote(s)+": not an IP address or CIDR range")
					}
				}
			}
			if action == "CUSTOM" {
				for _, k := range []string{"principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals", "namespaces", "notNamespaces"} {
					if nonEmpty(src, k) {
						v.add(fp+".source."+k, "istiod rejects "+k+" in a CUSTOM policy: the external authorizer cannot match on identity; use ipBlocks or move the condition to an ALLOW/DENY policy")
					}
				}
			}
		}
		for j, t := range listOf(rm["to"]) {
			tp := idx(p+".to", j)
			op := mapOf(mapOf(t)["operation"])
			if op == nil {
				v.add(tp, "istiod rejects a to entry without operation: add operation with the ports, methods, paths or hosts to match, or remove the entry")
				continue
			}
			v.nonEmptyList(tp+".operation", op, operationFields, "operation")
			for _, k := range []string{"paths", "notPaths"} {
				for n, x := range listOf(op[k]) {
					if s, ok := x.(string); ok {
						if msg := pathTemplateError(s); msg != "" {
							v.add(idx(tp+".operation."+k, n), "istiod rejects path "+strconv.Quote(s)+": "+msg)
						}
					}
				}
			}
			for _, k := range []string{"ports", "notPorts"} {
				for n, x := range listOf(op[k]) {
					if s, ok := x.(string); ok && s != "" && !validPortString(s) {
						v.add(idx(tp+".operation."+k, n), "istiod rejects port "+strconv.Quote(s)+": write a port number 0..65535 as a string")
					}
				}
			}
		}
		for j, w := range listOf(rm["when"]) {
			v.condition(idx(p+".when", j), mapOf(w), action)
		}
	}
}

// nonEmptyList reports a source or operation with none of its fields set,
// and empty strings inside any of its lists: istiod refuses both.
func (v *istiodCheck) nonEmptyList(path string, m map[string]any, fields []string, what string) {
	set := false
	for _, k := range fields {
		l := listOf(m[k])
		if len(l) > 0 {
			set = true
		}
		for n, x := range l {
			if s, ok := x.(string); ok && s == "" {
				v.add(idx(path+"."+k, n), "istiod rejects an empty string in "+k+": remove it")
			}
		}
	}
	if !set {
		v.add(path, "istiod rejects an empty "+what+": set at least one of "+strings.Join(fields, ", ")+", or remove it")
	}
}

// serviceAccountError is istiod's check of source.serviceAccount values:
// at most 16, each "sa" or "namespace/sa", no wildcard, at most 320 bytes.
func serviceAccountError(vals []any) string {
	if len(vals) > 16 {
		return "more than 16 values"
	}
	for _, x := range vals {
		s, ok := x.(string)
		if !ok {
			continue
		}
		ns, sa, cut := strings.Cut(s, "/")
		switch {
		case strings.Contains(s, "*"):
			return strconv.Quote(s) + " has a wildcard, which is not allowed"
		case strings.Count(s, "/") > 1, cut && (ns == "" || sa == ""):
			return strconv.Quote(s) + " is not of the form serviceAccount or namespace/serviceAccount"
		case len(s) > 320:
			return strconv.Quote(s) + " is longer than 320 characters"
		}
	}
	return ""
}

var pathLiteralRE = regexp.MustCompile(`^[a-zA-Z0-9-._~%!$&'()+,;:@=]+$`)

// pathTemplateError is istiod's check of an operation path: braces only as
// whole {*} or {**} segments, {**} last, and in a template every other
// segment a plain URI literal (no *).
func pathTemplateError(path string) string {
	template := strings.Contains(path, "{*}") || strings.Contains(path, "{**}")
	anyRest := false
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		switch {
		case (seg == "{*}" || seg == "{**}") && anyRest:
			return "{**} must be the last operator of a path template"
		case seg == "{*}":
			continue
		case seg == "{**}":
			anyRest = true
			continue
		case strings.ContainsAny(seg, "{}"):
			return "braces are allowed only as whole {*} or {**} segments; write {*} as a whole segment for one segment, {**} for the rest of the path"
		case template && !pathLiteralRE.MatchString(seg):
			return "segment " + strconv.Quote(seg) + " of a path template must be a plain URI literal (no *)"
		}
	}
	return ""
}

func validPortString(s string) bool {
	n, err := strconv.ParseUint(s, 10, 32)
	return err == nil && n <= 65535
}

// condition is istiod's check of one `when` entry: a known attribute, at
// least one value, values of the attribute's form.
func (v *istiodCheck) condition(path string, c map[string]any, action string) {
	if c == nil {
		return
	}
	key := str(c["key"])
	if key == "" {
		v.add(path+".key", "istiod rejects a condition without key: name the attribute, e.g. request.headers[x-token] or source.ip")
		return
	}
	if !nonEmpty(c, "values") && !nonEmpty(c, "notValues") {
		v.add(path, "istiod rejects condition "+strconv.Quote(key)+" without values or notValues: add the values to match")
		return
	}
	if action == "CUSTOM" && (key == "source.namespace" || key == "source.principal" || strings.HasPrefix(key, "request.auth.")) {
		v.add(path+".key", "istiod rejects condition "+strconv.Quote(key)+" in a CUSTOM policy: the external authorizer sees no identity attributes; move it to an ALLOW/DENY policy")
	}
	for _, field := range []string{"values", "notValues"} {
		vals := listOf(c[field])
		if len(vals) == 0 {
			continue
		}
		if msg := attributeError(key, vals); msg != "" {
			v.add(path+"."+field, "istiod rejects condition "+strconv.Quote(key)+": "+msg)
		}
	}
}

func attributeError(key string, vals []any) string {
	for _, x := range vals {
		if s, ok := x.(string); ok && s == "" {
			return "empty value"
		}
	}
	each := func(ok func(string) bool, what string) string {
		for _, x := range vals {
			if s, isStr := x.(string); isStr && !ok(s) {
				return strconv.Quote(s) + " is not " + what
			}
		}
		return ""
	}
	switch {
	case strings.HasPrefix(key, "request.headers"), strings.HasPrefix(key, "request.experimental.inline.headers"),
		strings.HasPrefix(key, "request.auth.claims"), strings.HasPrefix(key, "experimental.envoy.filters."):
		if o := strings.Index(key, "["); strings.HasSuffix(key, "]") && o > 0 && o < len(key)-2 {
			return ""
		}
		return "the key must have the form name[element], e.g. request.headers[x-token]"
	case key == "source.ip", key == "remote.ip", key == "destination.ip":
		return each(ipOrCIDRLoose, "an IP address or CIDR range")
	case key == "destination.port":
		return each(validPortString, "a port number 0..65535")
	case key == "source.serviceAccount":
		return serviceAccountError(vals)
	case key == "source.namespace", key == "source.principal", key == "request.auth.principal",
		key == "request.auth.audiences", key == "request.auth.presenter", key == "connection.sni":
		return ""
	case key == "destination.namespace":
		return "the attribute is not supported: the policy's own namespace (metadata.namespace) decides it"
	case strings.HasPrefix(key, "destination.labels"):
		return "the attribute is not supported: use spec.selector to choose workloads"
	case key == "destination.name", key == "destination.user":
		return "the attribute was removed with the v1alpha1 API"
	}
	return "unknown attribute; use one of request.headers[...], source.ip, remote.ip, source.namespace, source.principal, request.auth.principal, request.auth.audiences, request.auth.presenter, request.auth.claims[...], destination.ip, destination.port, connection.sni"
}

// ---- PeerAuthentication and RequestAuthentication

func (v *istiodCheck) peerAuthentication(spec map[string]any) {
	pl, isMap := spec["portLevelMtls"].(map[string]any)
	if !isMap {
		return
	}
	if len(pl) == 0 {
		v.add("spec.portLevelMtls", "istiod rejects an empty portLevelMtls: remove it or list the ports")
		return
	}
	if len(mapOf(dig(spec, "selector", "matchLabels"))) == 0 {
		v.add("spec.portLevelMtls", "istiod rejects portLevelMtls on a namespace- or mesh-wide PeerAuthentication: add selector.matchLabels choosing the workloads whose ports these are")
	}
	for k := range pl {
		if n, err := strconv.Atoi(k); err != nil || n < 1 || n > 65535 {
			v.add("spec.portLevelMtls."+k, "istiod rejects port "+strconv.Quote(k)+": portLevelMtls keys are port numbers 1..65535")
		}
	}
}

func (v *istiodCheck) requestAuthentication(spec map[string]any) {
	for i, r := range listOf(spec["jwtRules"]) {
		p := idx("spec.jwtRules", i)
		rm := mapOf(r)
		if rm == nil {
			continue
		}
		if str(rm["issuer"]) == "" && str(rm["jwksUri"]) == "" {
			v.add(p, "istiod rejects a JWT rule with neither issuer nor jwksUri: set issuer (the iss the tokens carry) and where to fetch its keys")
		}
		if u := str(rm["jwksUri"]); u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			v.add(p+".jwksUri", "istiod rejects jwksUri "+strconv.Quote(u)+": it must be an http:// or https:// URL")
		}
	}
}

// ---- VirtualService

func (v *istiodCheck) virtualService(spec map[string]any) {
	hosts := listOf(spec["hosts"])
	gateways := listOf(spec["gateways"])
	delegate := len(hosts) == 0
	if delegate {
		if len(gateways) > 0 {
			v.add("spec.gateways", "istiod rejects gateways on a delegate VirtualService (one without hosts): the root VirtualService binds the gateways; remove them")
		}
		if nonEmpty(spec, "tls") {
			v.add("spec.tls", "istiod rejects tls routes on a delegate VirtualService (one without hosts): only http routes are delegated; add hosts or move the routes to the root")
		}
		if nonEmpty(spec, "tcp") {
			v.add("spec.tcp", "istiod rejects tcp routes on a delegate VirtualService (one without hosts): only http routes are delegated; add hosts or move the routes to the root")
		}
	}
	mesh := len(gateways) == 0
	for _, g := range gateways {
		if g == "mesh" {
			mesh = true
		}
	}
	sni := false
	for _, r := range listOf(spec["tls"]) {
		for _, m := range listOf(mapOf(r)["match"]) {
			sni = sni || nonEmpty(mapOf(m), "sniHosts")
		}
	}
	valid := true
	for i, h := range hosts {
		hs, ok := h.(string)
		if !ok {
			continue
		}
		if msg := wildcardDomainError(hs); msg != "" {
			if !isIP(hs) && !(sni && !mesh && strings.HasPrefix(hs, "outbound_")) {
				v.add(idx("spec.hosts", i), "istiod rejects host "+strconv.Quote(hs)+": "+msg)
				valid = false
			}
		} else if hs == "*" && mesh {
			v.add(idx("spec.hosts", i), "istiod rejects host \"*\" on a VirtualService bound to the mesh: name the hosts, or bind it to gateways only")
			valid = false
		}
	}
	v.gatewayNames("spec.gateways", gateways)
	for i := 0; valid && i < len(hosts); i++ {
		a, _ := hosts[i].(string)
		for j := i + 1; j < len(hosts); j++ {
			if b, _ := hosts[j].(string); a != "" && b != "" && hostsOverlap(a, b) {
				v.add(idx("spec.hosts", j), "istiod rejects overlapping hosts "+strconv.Quote(a)+" and "+strconv.Quote(b)+" in one VirtualService: keep only the wider one")
			}
		}
	}
	if !nonEmpty(spec, "http") && !nonEmpty(spec, "tcp") && !nonEmpty(spec, "tls") {
		v.add("spec", "istiod rejects a VirtualService without http, tcp or tls routes: add the routes, or delete it")
	}
	for i, r := range listOf(spec["http"]) {
		v.httpRoute(idx("spec.http", i), mapOf(r), delegate)
	}
	for i, r := range listOf(spec["tls"]) {
		p := idx("spec.tls", i)
		rm := mapOf(r)
		if rm == nil {
			continue
		}
		matches := listOf(rm["match"])
		if len(matches) == 0 {
			v.add(p, "istiod rejects a tls route without match: add match with the sniHosts it serves")
		}
		for j, m := range matches {
			mp := idx(p+".match", j)
			mm := mapOf(m)
			if mm == nil {
				continue
			}
			snis := listOf(mm["sniHosts"])
			if len(snis) == 0 {
				v.add(mp+".sniHosts", "istiod rejects a tls match without sniHosts: list the SNI names this route serves")
			}
			for n, s := range snis {
				v.sniHost(idx(mp+".sniHosts", n), s, hosts)
			}
			v.subnets(mp+".destinationSubnets", mm["destinationSubnets"])
			v.gatewayNames(mp+".gateways", listOf(mm["gateways"]))
		}
		if !nonEmpty(rm, "route") {
			v.add(p+".route", "istiod rejects a tls route without route destinations: add route")
		}
		for j, d := range listOf(rm["route"]) {
			v.destination(idx(p+".route", j)+".destination", mapOf(mapOf(d)["destination"]))
		}
	}
	for i, r := range listOf(spec["tcp"]) {
		p := idx("spec.tcp", i)
		rm := mapOf(r)
		if rm == nil {
			continue
		}
		for j, m := range listOf(rm["match"]) {
			v.subnets(idx(p+".match", j)+".destinationSubnets", mapOf(m)["destinationSubnets"])
			v.gatewayNames(idx(p+".match", j)+".gateways", listOf(mapOf(m)["gateways"]))
		}
		for j, d := range listOf(rm["route"]) {
			v.destination(idx(p+".route", j)+".destination", mapOf(mapOf(d)["destination"]))
		}
		if !nonEmpty(rm, "route") {
			v.add(p+".route", "istiod rejects a tcp route without route destinations: add route")
		}
	}
}

func (v *istiodCheck) sniHost(path string, s any, hosts []any) {
	sni, ok := s.(string)
	if !ok || sni == "" || wildcardDomainError(sni) != "" {
		return // an IP is only a warning; malformed names are for the schema
	}
	for _, h := range hosts {
		if hs, ok := h.(string); ok && hostSubsetOf(sni, hs) {
			return
		}
	}
	v.add(path, "istiod rejects SNI host "+strconv.Quote(sni)+": it is not one of the VirtualService's hosts nor covered by a wildcard among them; add it (or a wildcard covering it) to spec.hosts")
}

func (v *istiodCheck) subnets(path string, l any) {
	for i, x := range listOf(l) {
		if s, ok := x.(string); ok && !ipOrCIDR(s) {
			v.add(idx(path, i), "istiod rejects destination subnet "+strconv.Quote(s)+": write an IP address or a CIDR block such as 10.0.0.0/16")
		}
	}
}

func (v *istiodCheck) httpRoute(p string, r map[string]any, delegate bool) {
	if r == nil {
		return
	}
	hasRoute, hasRedirect := nonEmpty(r, "route"), present(r, "redirect")
	switch {
	case !delegate && present(r, "delegate"):
		if hasRedirect {
			v.add(p+".redirect", "istiod rejects redirect on an http route that delegates: the delegate VirtualService decides; remove redirect")
		}
		if hasRoute {
			v.add(p+".route", "istiod rejects route on an http route that delegates: the delegate VirtualService decides; remove route")
		}
		return
	case delegate && present(r, "delegate"):
		v.add(p+".delegate", "istiod rejects delegate inside a delegate VirtualService: delegation is one level deep")
	}
	if hasRedirect {
		if hasRoute {
			v.add(p, "istiod rejects an http route with both route and redirect: keep one (a redirect answers the client itself)")
		}
		if present(r, "fault") {
			v.add(p+".fault", "istiod rejects an http route with both fault and redirect: keep one")
		}
		if present(r, "rewrite") {
			v.add(p+".rewrite", "istiod rejects an http route with both rewrite and redirect: keep one")
		}
		rd := mapOf(r["redirect"])
		if rd != nil && str(rd["uri"]) == "" && str(rd["authority"]) == "" && str(rd["scheme"]) == "" && !present(rd, "port") && !present(rd, "derivePort") {
			v.add(p+".redirect", "istiod rejects a redirect that changes nothing: set uri, authority, scheme or port")
		}
		if s := str(rd["scheme"]); s != "" && s != "http" && s != "https" {
			v.add(p+".redirect.scheme", "istiod rejects redirect scheme "+strconv.Quote(s)+": use http or https")
		}
		if c, ok := number(rd["redirectCode"]); ok && c != 0 && (c < 300 || c > 399) {
			v.add(p+".redirect.redirectCode", "istiod rejects redirect code "+strconv.FormatInt(c, 10)+": use a 3xx code")
		}
	} else if !hasRoute && !present(r, "directResponse") {
		v.add(p, "istiod rejects an http route without route, redirect or directResponse: add the destinations")
	}
	if rw := mapOf(r["rewrite"]); rw != nil {
		if str(rw["uri"]) != "" && present(rw, "uriRegexRewrite") {
			v.add(p+".rewrite", "istiod rejects a rewrite with both uri and uriRegexRewrite: keep one")
		}
	}
	if rt := mapOf(r["retries"]); rt != nil {
		if a, _ := number(rt["attempts"]); a == 0 && (present(rt, "perTryTimeout") || str(rt["retryOn"]) != "" || present(rt, "retryRemoteLocalities")) {
			v.add(p+".retries.attempts", "istiod rejects retry settings with attempts 0 (retries disabled): set attempts, or remove the other retry fields")
		}
		for _, pol := range strings.Split(str(rt["retryOn"]), ",") {
			if pol != "" && !retryOnPolicy(pol) {
				v.add(p+".retries.retryOn", "istiod rejects retryOn policy "+strconv.Quote(pol)+": use Envoy's retry conditions (5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, ...) or an HTTP status code")
			}
		}
	}
	if f := mapOf(r["fault"]); f != nil && !present(f, "abort") && !present(f, "delay") {
		v.add(p+".fault", "istiod rejects a fault without abort or delay: add one, or remove fault")
	}
	for i, d := range listOf(r["route"]) {
		dm := mapOf(d)
		v.destination(idx(p+".route", i)+".destination", mapOf(dm["destination"]))
		v.headerOps(idx(p+".route", i)+".headers", mapOf(dm["headers"]))
	}
	v.headerOps(p+".headers", mapOf(r["headers"]))
	if rw := str(dig(r, "rewrite", "authority")); rw != "" {
		for _, op := range []string{"set", "add"} {
			for k := range mapOf(dig(r, "headers", "request", op)) {
				if strings.EqualFold(k, ":authority") || strings.EqualFold(k, "host") {
					v.add(p+".headers.request."+op+"."+k, "istiod rejects setting the authority twice (rewrite.authority and a "+k+" header): keep rewrite.authority")
				}
			}
		}
	}
	if mi := mapOf(r["mirror"]); mi != nil {
		v.destination(p+".mirror", mi)
	}
	if f, ok := floatOf(dig(r, "mirrorPercentage", "value")); ok && (f > 100 || f < 0) {
		v.add(p+".mirrorPercentage.value", "istiod rejects a mirror percentage outside 0..100")
	}
	for i, m := range listOf(r["mirrors"]) {
		mm := mapOf(m)
		v.destination(idx(p+".mirrors", i)+".destination", mapOf(mm["destination"]))
		if f, ok := floatOf(dig(mm, "percentage", "value")); ok && (f > 100 || f < 0) {
			v.add(idx(p+".mirrors", i)+".percentage.value", "istiod rejects a mirror percentage outside 0..100")
		}
	}
	if cors := mapOf(r["corsPolicy"]); cors != nil {
		for i, m := range listOf(cors["allowMethods"]) {
			if ms, ok := m.(string); ok && !httpMethod(ms) {
				v.add(idx(p+".corsPolicy.allowMethods", i), "istiod rejects HTTP method "+strconv.Quote(ms)+": use one of GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE (upper case)")
			}
		}
		for i, o := range listOf(cors["allowOrigins"]) {
			om := mapOf(o)
			if om != nil && str(om["exact"]) == "" && str(om["prefix"]) == "" && str(om["regex"]) == "" {
				v.add(idx(p+".corsPolicy.allowOrigins", i), "istiod rejects an allowOrigins entry without a non-empty exact, prefix or regex: write the origin")
			}
		}
	}
	if f := mapOf(r["fault"]); f != nil {
		if ab := mapOf(f["abort"]); ab != nil {
			v.percentage(p+".fault.abort.percentage.value", dig(ab, "percentage", "value"))
			if st, ok := number(ab["httpStatus"]); ok && (st < 200 || st > 600) {
				v.add(p+".fault.abort.httpStatus", "istiod rejects abort status "+strconv.FormatInt(st, 10)+": use an HTTP status in 200..599")
			}
			if present(ab, "http2Error") {
				v.add(p+".fault.abort.http2Error", "istiod rejects http2Error aborts (not supported): use httpStatus or grpcStatus")
			}
		}
		if dl := mapOf(f["delay"]); dl != nil {
			v.percentage(p+".fault.delay.percentage.value", dig(dl, "percentage", "value"))
			if present(dl, "exponentialDelay") {
				v.add(p+".fault.delay.exponentialDelay", "istiod rejects exponentialDelay (not supported): use fixedDelay")
			}
		}
	}
	for i, m := range listOf(r["match"]) {
		mm := mapOf(m)
		for _, k := range []string{"uri", "scheme", "method", "authority"} {
			v.stringMatch(idx(p+".match", i)+"."+k, mapOf(mm[k]), delegate || present(r, "delegate"))
		}
		for name, h := range mapOf(mm["headers"]) {
			v.stringMatch(idx(p+".match", i)+".headers."+name, mapOf(h), delegate || present(r, "delegate"))
		}
		v.gatewayNames(idx(p+".match", i)+".gateways", listOf(mm["gateways"]))
		if ns := str(mm["sourceNamespace"]); ns != "" && !isDNSLabel(ns) {
			v.add(idx(p+".match", i)+".sourceNamespace", "istiod rejects sourceNamespace "+strconv.Quote(ns)+": it must be a namespace name")
		}
	}
}

func (v *istiodCheck) stringMatch(path string, m map[string]any, delegating bool) {
	if m == nil {
		return
	}
	if re, ok := m["regex"].(string); ok {
		switch {
		case delegating:
			v.add(path+".regex", "istiod rejects regex matches on delegating routes: use exact or prefix")
		case re == "":
			v.add(path+".regex", "istiod rejects an empty regex: remove the match or write the pattern")
		case len(re) > 1024:
			v.add(path+".regex", "istiod rejects a regex longer than 1024 characters")
		default:
			if _, err := regexp.Compile(re); err != nil {
				v.add(path+".regex", "istiod rejects regex "+strconv.Quote(re)+": not valid RE2 syntax ("+err.Error()+")")
			}
		}
	}
	if p, ok := m["prefix"].(string); ok && p == "" && !delegating {
		v.add(path+".prefix", "istiod rejects an empty prefix match: remove the match, or write prefix: /")
	}
}

func retryOnPolicy(p string) bool {
	switch p {
	case "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream",
		"retriable-status-codes", "retriable-headers", "envoy-ratelimited", "http3-post-connect-failure",
		"cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable":
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && statusText(n)
}

// statusText reports whether n is a status code net/http names, the test
// istiod applies to numeric retryOn entries.
func statusText(n int) bool {
	switch {
	case n >= 100 && n <= 103, n >= 200 && n <= 208, n == 226, n >= 300 && n <= 305, n == 307, n == 308,
		n >= 400 && n <= 418, n >= 421 && n <= 426, n == 428, n == 429, n == 431, n == 451,
		n >= 500 && n <= 508, n == 510, n == 511:
		return true
	}
	return false
}

func (v *istiodCheck) destination(path string, d map[string]any) {
	if d == nil {
		return
	}
	if h, ok := d["host"].(string); ok {
		if h == "*" {
			v.add(path+".host", "istiod rejects destination host \"*\": name the service to route to")
		} else if msg := wildcardDomainError(h); msg != "" {
			v.add(path+".host", "istiod rejects destination host "+strconv.Quote(h)+": "+msg)
		}
	}
	if s, ok := d["subset"].(string); ok && s != "" && !(len(s) <= 63 && lowerDNSLabelRE.MatchString(s) || isDNSLabel(s)) {
		v.add(path+".subset", "istiod rejects subset name "+strconv.Quote(s)+": it must be a DNS-1123 label")
	}
}

// ---- DestinationRule

func (v *istiodCheck) destinationRule(spec map[string]any) {
	if h, ok := spec["host"].(string); ok {
		if msg := wildcardDomainError(h); msg != "" {
			v.add("spec.host", "istiod rejects host "+strconv.Quote(h)+": "+msg)
		}
	}
	v.trafficPolicy("spec.trafficPolicy", spec["trafficPolicy"])
	seen := map[string]bool{}
	for i, s := range listOf(spec["subsets"]) {
		p := idx("spec.subsets", i)
		sm := mapOf(s)
		if sm == nil {
			continue
		}
		name, _ := sm["name"].(string)
		if seen[name] {
			v.add(p+".name", "istiod rejects duplicate subset name "+strconv.Quote(name)+": give each subset its own name")
		}
		seen[name] = true
		if name != "" && !isDNSLabel(name) {
			v.add(p+".name", "istiod rejects subset name "+strconv.Quote(name)+": it must be a DNS-1123 label")
		}
		v.trafficPolicy(p+".trafficPolicy", sm["trafficPolicy"])
	}
	v.exportTo(spec, false, present(spec, "workloadSelector"))
}

func (v *istiodCheck) trafficPolicy(path string, x any) {
	tp, ok := x.(map[string]any)
	if !ok {
		return
	}
	if !present(tp, "outlierDetection") && !present(tp, "connectionPool") && !present(tp, "loadBalancer") && !present(tp, "tls") &&
		!nonEmpty(tp, "portLevelSettings") && !present(tp, "tunnel") && !present(tp, "proxyProtocol") {
		v.add(path, "istiod rejects an empty trafficPolicy: set at least one policy, or remove it")
		return
	}
	if present(tp, "tunnel") && present(tp, "proxyProtocol") {
		v.add(path, "istiod rejects tunnel and proxyProtocol together: keep one")
	}
	v.policyParts(path, tp)
	for i, pl := range listOf(tp["portLevelSettings"]) {
		p := idx(path+".portLevelSettings", i)
		pm := mapOf(pl)
		if pm == nil {
			continue
		}
		if !present(pm, "port") {
			v.add(p+".port", "istiod rejects a port-level traffic policy without port: add port.number")
		}
		if !present(pm, "outlierDetection") && !present(pm, "connectionPool") && !present(pm, "loadBalancer") && !present(pm, "tls") {
			v.add(p, "istiod rejects an empty port-level traffic policy: set at least one policy, or remove it")
			continue
		}
		v.policyParts(p, pm)
	}
}

func (v *istiodCheck) policyParts(path string, tp map[string]any) {
	if cp, ok := tp["connectionPool"].(map[string]any); ok {
		if !present(cp, "http") && !present(cp, "tcp") {
			v.add(path+".connectionPool", "istiod rejects an empty connectionPool: set http or tcp settings, or remove it")
		}
		if h := mapOf(cp["http"]); h != nil {
			if ucp, _ := h["useClientProtocol"].(bool); ucp && str(h["h2UpgradePolicy"]) == "UPGRADE" {
				v.add(path+".connectionPool.http.useClientProtocol", "istiod rejects useClientProtocol with h2UpgradePolicy UPGRADE: keep one")
			}
		}
	}
	if od := mapOf(tp["outlierDetection"]); od != nil {
		split, _ := od["splitExternalLocalOriginErrors"].(bool)
		if n, _ := number(od["consecutiveLocalOriginFailures"]); n > 0 && !split {
			v.add(path+".outlierDetection.consecutiveLocalOriginFailures", "istiod rejects consecutiveLocalOriginFailures unless splitExternalLocalOriginErrors is true: set it, or remove the field")
		}
	}
	if lb := mapOf(tp["loadBalancer"]); lb != nil {
		ch := mapOf(lb["consistentHash"])
		if ck := mapOf(ch["httpCookie"]); ck != nil && str(ck["name"]) == "" {
			v.add(path+".loadBalancer.consistentHash.httpCookie.name", "istiod rejects an httpCookie hash without name: name the cookie")
		}
		if ml := mapOf(ch["maglev"]); ml != nil {
			n, _ := number(ml["tableSize"])
			if n <= 0 || n >= 5000011 || !isPrime(uint64(n)) {
				v.add(path+".loadBalancer.consistentHash.maglev.tableSize", "istiod rejects maglev tableSize "+strconv.FormatInt(n, 10)+": it must be a prime below 5000011 (e.g. 65537)")
			}
		}
		if ll := mapOf(lb["localityLbSetting"]); ll != nil && nonEmpty(ll, "distribute") && nonEmpty(ll, "failover") {
			v.add(path+".loadBalancer.localityLbSetting", "istiod rejects distribute and failover together: keep one")
		}
	}
	if tls := mapOf(tp["tls"]); tls != nil {
		v.clientTLS(path+".tls", tls)
	}
}

func isPrime(x uint64) bool {
	if x != 0 && x < 4 {
		return true
	}
	if x&1 == 0 {
		return false
	}
	for f := uint64(3); f*f <= x; f += 2 {
		if x%f == 0 {
			return false
		}
	}
	return true
}

func (v *istiodCheck) clientTLS(path string, tls map[string]any) {
	mode := str(tls["mode"])
	skip, _ := dig(tls, "insecureSkipVerify").(bool)
	cred := str(tls["credentialName"])
	if skip {
		if mode == "SIMPLE" && (str(tls["caCertificates"]) != "" || cred != "" || present(tls, "subjectAltNames")) {
			v.add(path+".insecureSkipVerify", "istiod rejects insecureSkipVerify with caCertificates, credentialName or subjectAltNames: verification is either skipped or configured, not both")
		}
		if mode == "MUTUAL" && (str(tls["caCertificates"]) != "" || present(tls, "subjectAltNames")) {
			v.add(path+".insecureSkipVerify", "istiod rejects insecureSkipVerify with caCertificates or subjectAltNames: verification is either skipped or configured, not both")
		}
	}
	if (mode == "SIMPLE" || mode == "MUTUAL") && cred != "" {
		if str(tls["clientCertificate"]) != "" || str(tls["caCertificates"]) != "" || str(tls["privateKey"]) != "" || str(tls["caCrl"]) != "" {
			v.add(path+".credentialName", "istiod rejects credentialName together with certificate or key files: the secret holds them; remove the file fields")
		}
		return
	}
	if mode == "MUTUAL" {
		if str(tls["clientCertificate"]) == "" {
			v.add(path+".clientCertificate", "istiod rejects tls mode MUTUAL without clientCertificate: set it and privateKey, use credentialName, or use ISTIO_MUTUAL for mesh services")
		}
		if str(tls["privateKey"]) == "" {
			v.add(path+".privateKey", "istiod rejects tls mode MUTUAL without privateKey: set it and clientCertificate, use credentialName, or use ISTIO_MUTUAL for mesh services")
		}
	}
}

// exportTo is istiod's check of an exportTo list: no duplicates ("." and
// the own namespace are one), "*" alone, "~" (ServiceEntry only) alone, and
// a DestinationRule with a workloadSelector exported to its own namespace
// only.
func (v *istiodCheck) exportTo(spec map[string]any, serviceEntry, selector bool) {
	l := listOf(spec["exportTo"])
	if len(l) == 0 {
		return
	}
	seen := map[string]bool{}
	for i, x := range l {
		e, ok := x.(string)
		if !ok {
			continue
		}
		key := e
		if e == "." {
			key = v.namespace
		}
		if seen[key] {
			v.add(idx("spec.exportTo", i), "istiod rejects duplicate exportTo entry "+strconv.Quote(e)+" (\".\" is the own namespace): remove it")
			continue
		}
		seen[key] = true
		if e != "." && e != "*" && (e != "~" || !serviceEntry) && !isDNSLabel(e) {
			v.add(idx("spec.exportTo", i), "istiod rejects exportTo "+strconv.Quote(e)+": use \".\", \"*\" or namespace names (\"~\" only on a ServiceEntry)")
		}
	}
	if seen["*"] && len(l) > 1 {
		v.add("spec.exportTo", "istiod rejects \"*\" together with other exportTo entries: \"*\" already exports everywhere; keep only it")
	}
	if serviceEntry && seen["~"] && len(l) > 1 {
		v.add("spec.exportTo", "istiod rejects \"~\" (export to no one) together with other exportTo entries: keep one")
	}
	if selector {
		if !seen[v.namespace] {
			v.add("spec.exportTo", "istiod rejects a DestinationRule with workloadSelector exported beyond its own namespace: use exportTo: [\".\"]")
		} else if len(seen) > 1 {
			v.add("spec.exportTo", "istiod rejects a DestinationRule with workloadSelector exported to several namespaces: use exportTo: [\".\"]")
		}
	}
}

// ---- ServiceEntry

func (v *istiodCheck) serviceEntry(spec map[string]any) {
	resolution := str(spec["resolution"])
	if resolution == "" {
		resolution = "NONE"
	}
	hosts := listOf(spec["hosts"])
	for i, h := range hosts {
		if hs, ok := h.(string); ok && hs != "*" {
			if msg := wildcardDomainError(hs); msg != "" {
				v.add(idx("spec.hosts", i), "istiod rejects host "+strconv.Quote(hs)+": "+msg+" (an IP address is not a host: put it in addresses and name the host)")
			}
		}
	}
	cidr := false
	for i, a := range listOf(spec["addresses"]) {
		s, ok := a.(string)
		if !ok {
			continue
		}
		cidr = cidr || strings.Contains(s, "/")
		if !ipOrCIDR(s) {
			v.add(idx("spec.addresses", i), "istiod rejects address "+strconv.Quote(s)+": write an IP address or a CIDR block")
		}
	}
	if cidr && resolution != "NONE" && resolution != "STATIC" {
		v.add("spec.resolution", "istiod rejects CIDR addresses with resolution "+resolution+": use resolution NONE or STATIC, or single IP addresses")
	}
	names, numbers := map[string]bool{}, map[int64]bool{}
	portNames := map[string]bool{}
	nonHTTP := false
	for i, pt := range listOf(spec["ports"]) {
		pm := mapOf(pt)
		if pm == nil {
			continue
		}
		p := idx("spec.ports", i)
		name, _ := pm["name"].(string)
		if names[name] {
			v.add(p+".name", "istiod rejects duplicate port name "+strconv.Quote(name)+": give each port its own name")
		}
		names[name] = true
		portNames[name] = true
		if !isDNSLabel(name) {
			v.add(p+".name", "istiod rejects port name "+strconv.Quote(name)+": it must be a DNS-1123 label (e.g. http-api)")
		}
		if n, ok := number(pm["number"]); ok {
			if numbers[n] {
				v.add(p+".number", "istiod rejects duplicate port number "+strconv.FormatInt(n, 10)+": list each port once")
			}
			numbers[n] = true
		}
		v.portProtocol(p+".protocol", pm["protocol"])
		proto := strings.ToUpper(str(pm["protocol"]))
		switch proto {
		case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY", "HTTPS", "TLS":
		default:
			nonHTTP = true
		}
	}
	endpoints := listOf(spec["endpoints"])
	switch resolution {
	case "NONE":
		if len(endpoints) > 0 {
			v.add("spec.endpoints", "istiod rejects endpoints with resolution NONE: set resolution STATIC (IP endpoints) or DNS (host names), or remove endpoints")
		}
	case "STATIC":
		for i, e := range endpoints {
			em := mapOf(e)
			if em == nil {
				continue
			}
			p := idx("spec.endpoints", i)
			addr := str(em["address"])
			if addr != "" && !strings.HasPrefix(addr, "unix://") && !isIP(addr) {
				v.add(p+".address", "istiod rejects endpoint address "+strconv.Quote(addr)+" with resolution STATIC: use an IP address, or resolution DNS for host names")
			}
			v.endpointPorts(p, em, portNames)
		}
	case "DNS", "DNS_ROUND_ROBIN":
		if len(endpoints) == 0 {
			for i, h := range hosts {
				if s, ok := h.(string); ok && fqdnError(s) != "" {
					v.add(idx("spec.hosts", i), "istiod rejects host "+strconv.Quote(s)+" with resolution "+resolution+" and no endpoints: DNS needs a resolvable name; add endpoints or use resolution NONE for wildcards")
				}
			}
		}
		if resolution == "DNS_ROUND_ROBIN" && len(endpoints) > 1 {
			v.add("spec.endpoints", "istiod rejects more than one endpoint with resolution DNS_ROUND_ROBIN: keep one, or use resolution DNS")
		}
		for i, e := range endpoints {
			em := mapOf(e)
			if em == nil {
				continue
			}
			p := idx("spec.endpoints", i)
			if addr, ok := em["address"].(string); ok && !isIP(addr) && fqdnError(addr) != "" {
				v.add(p+".address", "istiod rejects endpoint address "+strconv.Quote(addr)+": it is neither an IP address nor a host name")
			}
			v.endpointPorts(p, em, portNames)
		}
	}
	if resolution != "NONE" && len(hosts) > 1 && nonHTTP {
		v.add("spec.hosts", "istiod rejects several hosts with a non-HTTP, non-TLS port unless resolution is NONE: plain TCP cannot tell the hosts apart; use one ServiceEntry per host")
	}
	v.exportTo(spec, true, false)
}

func (v *istiodCheck) endpointPorts(p string, em map[string]any, portNames map[string]bool) {
	for name := range mapOf(em["ports"]) {
		if !isDNSLabel(name) {
			v.add(p+".ports."+name, "istiod rejects port name "+strconv.Quote(name)+": it must be a DNS-1123 label")
		} else if !portNames[name] {
			v.add(p+".ports."+name, "istiod rejects endpoint port "+strconv.Quote(name)+": it names no port of the ServiceEntry; use one of spec.ports[].name")
		}
	}
}

// ---- WorkloadEntry

func (v *istiodCheck) workloadEntry(p string, spec map[string]any) {
	if spec == nil {
		return
	}
	addr := str(spec["address"])
	switch {
	case addr == "":
		if str(spec["network"]) == "" {
			v.add(p+".address", "istiod rejects a WorkloadEntry without address (and without network): set the VM's IP address or host name")
		}
	case strings.HasPrefix(addr, "unix://"):
		path := strings.TrimPrefix(addr, "unix://")
		if path == "" || (!strings.HasPrefix(path, "@") && (!strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/"))) {
			v.add(p+".address", "istiod rejects unix address "+strconv.Quote(addr)+": give an absolute path to a socket file (or @name for an abstract socket)")
		}
		if len(mapOf(spec["ports"])) > 0 {
			v.add(p+".ports", "istiod rejects ports on a unix-socket WorkloadEntry: remove them")
		}
	case !isIP(addr) && fqdnError(addr) != "":
		v.add(p+".address", "istiod rejects address "+strconv.Quote(addr)+": it is neither an IP address nor a host name ("+fqdnError(addr)+")")
	}
	for name := range mapOf(spec["ports"]) {
		if !isDNSLabel(name) {
			v.add(p+".ports."+name, "istiod rejects port name "+strconv.Quote(name)+": it must be a DNS-1123 label (e.g. http-api)")
		}
	}
}

// ---- Gateway

func (v *istiodCheck) gateway(spec map[string]any) {
	servers := listOf(spec["servers"])
	if spec != nil && len(servers) == 0 {
		v.add("spec.servers", "istiod rejects a Gateway without servers: add a server with port and hosts")
	}
	names := map[string]bool{}
	for i, s := range servers {
		sm := mapOf(s)
		if sm == nil {
			continue
		}
		p := idx("spec.servers", i)
		for j, h := range listOf(sm["hosts"]) {
			if hs, ok := h.(string); ok {
				if msg := nsSlashHostError(hs, true); msg != "" {
					v.add(idx(p+".hosts", j), "istiod rejects server host "+strconv.Quote(hs)+": "+msg)
				}
			}
		}
		port := mapOf(sm["port"])
		if port == nil {
			continue
		}
		name, _ := port["name"].(string)
		if names[name] && name != "" {
			v.add(p+".port.name", "istiod rejects duplicate server port name "+strconv.Quote(name)+": give each server's port its own name")
		}
		names[name] = true
		proto := strings.ToUpper(str(port["protocol"]))
		if proto != "" && !knownProtocol(proto) {
			v.portProtocol(p+".port.protocol", port["protocol"])
			continue
		}
		if n, _ := number(port["targetPort"]); n > 0 {
			v.add(p+".port.targetPort", "istiod rejects targetPort on a Gateway server: it has no effect there; remove it")
		}
		tls := mapOf(sm["tls"])
		isTLS := proto == "HTTPS" || proto == "TLS"
		isHTTP := proto == "HTTP" || proto == "HTTP2" || proto == "GRPC" || proto == "GRPC-WEB" || proto == "HTTP_PROXY"
		switch {
		case isTLS && tls == nil:
			v.add(p+".tls", "istiod rejects an "+proto+" server without tls settings: add tls (e.g. mode: SIMPLE, credentialName: <secret>)")
		case !isTLS && tls != nil:
			redirectOnly := true
			for k := range tls {
				if k != "httpsRedirect" {
					redirectOnly = false
				}
			}
			if isHTTP && !redirectOnly {
				v.add(p+".tls", "istiod rejects tls settings on a plain-text "+proto+" server (only httpsRedirect is allowed there): use protocol HTTPS, or keep only httpsRedirect")
			} else if !isHTTP {
				v.add(p+".tls", "istiod rejects tls settings on a "+strings.ToUpper(str(port["protocol"]))+" server: use protocol TLS or HTTPS, or remove tls")
			}
		}
		if tls != nil {
			v.serverTLS(p+".tls", tls)
		}
	}
}

func (v *istiodCheck) serverTLS(path string, tls map[string]any) {
	mode := str(tls["mode"])
	cert, key, ca, cred := str(tls["serverCertificate"]), str(tls["privateKey"]), str(tls["caCertificates"]), str(tls["credentialName"])
	creds := cred != "" || nonEmpty(tls, "credentialNames") || nonEmpty(tls, "tlsCertificates")
	switch mode {
	case "ISTIO_MUTUAL":
		if cert != "" || key != "" || ca != "" || cred != "" {
			v.add(path, "istiod rejects certificates or credentialName with tls mode ISTIO_MUTUAL: the mesh's own certificates are used; remove them")
		}
		return
	case "SIMPLE":
		if !creds && (cert == "" || key == "") {
			v.add(path, "istiod rejects tls mode SIMPLE without credentials: set credentialName (a kubernetes.io/tls Secret) or serverCertificate and privateKey")
		}
	case "MUTUAL", "OPTIONAL_MUTUAL":
		if !creds && (cert == "" || key == "" || ca == "") {
			v.add(path, "istiod rejects tls mode "+mode+" without credentials: set credentialName (a Secret with the client CA) or serverCertificate, privateKey and caCertificates")
		}
	}
	if str(tls["caCrl"]) != "" {
		if cred != "" {
			v.add(path+".caCrl", "istiod rejects caCrl with credentialName: put the CRL in the Secret")
		} else if mode == "SIMPLE" {
			v.add(path+".caCrl", "istiod rejects caCrl with tls mode SIMPLE: a CRL needs client certificates (MUTUAL)")
		}
	}
}

// gatewayNames is istiod's check of gateway references: namespace/name with
// both parts DNS labels, or a bare name that is an FQDN ("mesh", the legacy
// name.namespace form).
func (v *istiodCheck) gatewayNames(path string, l []any) {
	for i, g := range l {
		gs, ok := g.(string)
		if !ok {
			continue
		}
		ns, name, slash := strings.Cut(gs, "/")
		var msg string
		switch {
		case !slash:
			if e := fqdnError(gs); e != "" {
				msg = e
			}
		case ns == "" || name == "":
			msg = "namespace and name must both be set"
		case !isDNSLabel(ns):
			msg = "namespace " + strconv.Quote(ns) + " is not a namespace name"
		case !isDNSLabel(name):
			msg = "name " + strconv.Quote(name) + " is not a DNS-1123 label"
		}
		if msg != "" {
			v.add(idx(path, i), "istiod rejects gateway "+strconv.Quote(gs)+": "+msg+"; write namespace/name")
		}
	}
}

// headerOps is istiod's check of header manipulation: no pseudo-headers
// (":" prefix) anywhere but :authority on requests, and Host may be
// rewritten only by request add/set.
func (v *istiodCheck) headerOps(path string, h map[string]any) {
	for _, dir := range []string{"request", "response"} {
		d := mapOf(h[dir])
		for _, op := range []string{"add", "set"} {
			for k := range mapOf(d[op]) {
				if msg := headerNameError(k, dir == "request"); msg != "" {
					v.add(path+"."+dir+"."+op+"."+k, "istiod rejects header "+strconv.Quote(k)+": "+msg)
				}
			}
		}
		for i, k := range listOf(d["remove"]) {
			if ks, ok := k.(string); ok {
				if msg := headerNameError(ks, false); msg != "" {
					v.add(idx(path+"."+dir+".remove", i), "istiod rejects header "+strconv.Quote(ks)+": "+msg)
				}
			}
		}
	}
}

func headerNameError(k string, authorityOK bool) string {
	authority := strings.EqualFold(k, ":authority") || strings.EqualFold(k, "host")
	switch {
	case k == "":
		return "empty header name"
	case authorityOK && authority:
		return ""
	case strings.EqualFold(k, "host"):
		return "Host cannot be removed, nor set on responses; rewrite it with rewrite.authority or a request set"
	case strings.HasPrefix(k, ":"):
		return "pseudo-headers (\":\" prefix) cannot be changed"
	}
	return ""
}

func (v *istiodCheck) percentage(path string, x any) {
	if f, ok := floatOf(x); ok && (f < 0 || f > 100 || (f > 0 && f < 0.0001)) {
		v.add(path, "istiod rejects percentage "+strconv.FormatFloat(f, 'g', -1, 64)+": use 0 or a value in 0.0001..100")
	}
}

func floatOf(x any) (float64, bool) {
	if n, ok := number(x); ok {
		return float64(n), true
	}
	f, ok := x.(float64)
	return f, ok
}

func httpMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// targetRefs is istiod's check of policy targets: a Service, ServiceEntry,
// Gateway or GatewayClass (Gateway API), in the policy's own namespace.
func (v *istiodCheck) targetRefs(spec map[string]any) {
	check := func(path string, t map[string]any) {
		if t == nil {
			return
		}
		group, kind := str(t["group"]), str(t["kind"])
		switch {
		case group == "" && kind == "Service",
			group == "networking.istio.io" && kind == "ServiceEntry",
			group == "gateway.networking.k8s.io" && (kind == "Gateway" || kind == "GatewayClass"):
			return
		}
		v.add(path, "istiod rejects a target of kind "+strconv.Quote(group+"/"+kind)+": a policy can target a Service (group \"\"), a ServiceEntry (networking.istio.io) or a Gateway or GatewayClass (gateway.networking.k8s.io); use selector for workloads")
	}
	check("spec.targetRef", mapOf(spec["targetRef"]))
	for i, t := range listOf(spec["targetRefs"]) {
		check(idx("spec.targetRefs", i), mapOf(t))
	}
}
