package lint

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Mesh installation facts (MF701–MF703): what the control plane in the input
// says about VM onboarding, read from IstioOperator resources (install.istio.io,
// what `istioctl install -f` applies) and from rendered istiod Deployments
// (what `helm template istiod` or `istioctl manifest generate` produce).
//
// The two istiod settings the seed's mesh expansion relies on are environment
// variables of the discovery container; both default to true in istiod
// (pilot/pkg/features): PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION (a VM
// connecting with a WorkloadGroup gets a WorkloadEntry) and
// PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS (a WorkloadGroup probe's result
// marks the entry healthy or not). A setting counts as off only when every
// control plane in the input turns it off explicitly: with several revisions,
// one that keeps the default may be the one the VMs connect to.

const (
	envAutoRegistration = "PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION"
	envHealthChecks     = "PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS"
)

// controlPlane is one istiod the input installs: where it is defined and
// the explicit values of the settings above, with the path of each.
type controlPlane struct {
	r    *resource
	env  map[string]string
	path map[string]string
}

// istioOperatorPilot reads the pilot environment of an IstioOperator, nil
// when it installs no istiod (pilot disabled, or the empty and remote
// profiles without pilot enabled explicitly). spec.components.pilot.k8s.env
// is laid over the container after values.pilot.env is rendered into it,
// so it wins for a name both set.
func istioOperatorPilot(r *resource) *controlPlane {
	spec := mapOf(r.obj["spec"])
	enabled, set := dig(spec, "components", "pilot", "enabled").(bool)
	if set && !enabled {
		return nil
	}
	if p := str(spec["profile"]); (p == "empty" || p == "remote") && !enabled {
		return nil
	}
	cp := &controlPlane{r: r, env: map[string]string{}, path: map[string]string{}}
	env := mapOf(dig(spec, "values", "pilot", "env"))
	for _, k := range sortedKeys(env) {
		if v, ok := envValue(env[k]); ok {
			cp.env[k], cp.path[k] = v, "spec.values.pilot.env."+k
		}
	}
	for i, e := range listOf(dig(spec, "components", "pilot", "k8s", "env")) {
		em := mapOf(e)
		name := str(em["name"])
		if v, ok := envValue(em["value"]); ok && name != "" && em["valueFrom"] == nil {
			cp.env[name], cp.path[name] = v, "spec.components.pilot.k8s.env["+strconv.Itoa(i)+"].value"
		} else if name != "" {
			delete(cp.env, name) // valueFrom: not knowable offline
			delete(cp.path, name)
		}
	}
	return cp
}

// istiodDeployment reads a rendered istiod: a Deployment whose pod runs the
// pilot-discovery container (named "discovery" in Istio's charts).
func istiodDeployment(r *resource) *controlPlane {
	containers := listOf(dig(r.obj, "spec", "template", "spec", "containers"))
	for i, c := range containers {
		cm := mapOf(c)
		if str(cm["name"]) != "discovery" || !strings.Contains(str(cm["image"]), "pilot") {
			continue
		}
		cp := &controlPlane{r: r, env: map[string]string{}, path: map[string]string{}}
		for j, e := range listOf(cm["env"]) {
			em := mapOf(e)
			name := str(em["name"])
			if v, ok := envValue(em["value"]); ok && name != "" && em["valueFrom"] == nil {
				cp.env[name] = v
				cp.path[name] = "spec.template.spec.containers[" + strconv.Itoa(i) + "].env[" + strconv.Itoa(j) + "].value"
			}
		}
		return cp
	}
	return nil
}

// envValue is a YAML scalar as the container environment holds it.
func envValue(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case int, int64, float64:
		return fmt.Sprint(t), true
	}
	return "", false
}

// off reports whether the control plane turns a default-true boolean
// setting off: istiod parses it with strconv.ParseBool and keeps the
// default when that fails.
func (cp *controlPlane) off(name string) bool {
	v, ok := cp.env[name]
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	return err == nil && !b
}

// installFacts sets input.index.controlPlane (the settings every control
// plane of the input turns off, each with where) and, on each WorkloadGroup,
// registeredEntries: how many WorkloadEntries of the input belong to it
// (annotateWorkloadEntries tied them), and hasProbe. It also lists the deprecated and
// removed settings of each IstioOperator (MF703).
func (ix *index) installFacts(rs []*resource, wes []*resource, groups map[string]*resource) {
	var cps []*controlPlane
	for _, r := range rs {
		switch {
		case r.kind == "IstioOperator" && r.group() == "install.istio.io":
			if facts := deprecatedOperatorSettings(r); len(facts) > 0 {
				ix.extra(r.ref)["deprecatedSettings"] = facts
			}
			if cp := istioOperatorPilot(r); cp != nil {
				cps = append(cps, cp)
			}
		case r.kind == "Deployment" && r.group() == "apps":
			if cp := istiodDeployment(r); cp != nil {
				cps = append(cps, cp)
			}
		}
	}
	sort.Slice(cps, func(i, j int) bool { return before(cps[i].r, cps[j].r) })
	settings := map[string]any{}
	for key, name := range map[string]string{"autoRegistration": envAutoRegistration, "healthChecks": envHealthChecks} {
		if len(cps) == 0 {
			break
		}
		var where []any
		for _, cp := range cps {
			if !cp.off(name) {
				where = nil
				break
			}
			where = append(where, map[string]any{"ref": cp.r.ref, "resource": describe(cp.r), "path": cp.path[name], "value": cp.env[name]})
		}
		if where != nil {
			settings[key] = map[string]any{"env": name, "off": true, "where": where}
		}
	}
	ix.controlPlane = settings

	entries := map[int]int{}
	for _, r := range wes {
		if g, ok := ix.wlFacts[r.ref]["group"].(map[string]any); ok {
			if ref, ok := g["ref"].(int); ok {
				entries[ref]++
			}
		}
	}
	for _, g := range groups {
		if schemaInvalid(g) {
			continue // rejected: it registers nothing
		}
		e := ix.extra(g.ref)
		e["registeredEntries"] = entries[g.ref]
		e["hasProbe"] = dig(g.obj, "spec", "probe") != nil
	}
}

// operatorDeprecation is a setting of the IstioOperator API that istioctl
// warns about (deprecated: it is ignored or moved) or refuses (removed),
// when set to anything but its default. The list follows istioctl's own
// validation of IstioOperator specs and the release notes that retired
// them (mesh expansion values in 1.8, the addons in 1.8, Mixer in 1.8).
type operatorDeprecation struct {
	path    string // below spec
	instead string
	def     any // the value that does not count as set; nil: any value counts
	removed bool
}

var operatorDeprecations = []operatorDeprecation{
	{"values.global.certificates", "meshConfig.certificates", nil, false},
	{"values.global.outboundTrafficPolicy", "meshConfig.outboundTrafficPolicy", nil, false},
	{"values.global.localityLbSetting", "meshConfig.localityLbSetting", nil, false},
	{"values.global.policyCheckFailOpen", "nothing (Mixer was removed in Istio 1.8)", false, false},
	{"values.global.enableTracing", "meshConfig.enableTracing", false, false},
	{"values.global.proxy.accessLogFormat", "meshConfig.accessLogFormat", "", false},
	{"values.global.proxy.accessLogFile", "meshConfig.accessLogFile", "", false},
	{"values.global.proxy.concurrency", "meshConfig.defaultConfig.concurrency", 0, false},
	{"values.global.proxy.envoyAccessLogService", "meshConfig.defaultConfig.envoyAccessLogService", nil, false},
	{"values.global.proxy.envoyMetricsService", "meshConfig.defaultConfig.envoyMetricsService", nil, false},
	{"values.global.proxy.protocolDetectionTimeout", "meshConfig.protocolDetectionTimeout", "", false},
	{"values.global.proxy.holdApplicationUntilProxyStarts", "meshConfig.defaultConfig.holdApplicationUntilProxyStarts", false, false},
	{"values.pilot.ingress", "meshConfig.ingressService, meshConfig.ingressControllerMode and meshConfig.ingressClass", nil, false},
	{"values.global.mtls.enabled", "a PeerAuthentication (STRICT) in the root namespace", nil, false},
	{"values.global.mtls.auto", "meshConfig.enableAutoMtls", nil, false},
	{"values.global.tracer.lightstep.address", "meshConfig.defaultConfig.tracing.lightstep.address", "", false},
	{"values.global.tracer.lightstep.accessToken", "meshConfig.defaultConfig.tracing.lightstep.accessToken", "", false},
	{"values.global.tracer.zipkin.address", "meshConfig.defaultConfig.tracing.zipkin.address", nil, false},
	{"values.global.tracer.datadog.address", "meshConfig.defaultConfig.tracing.datadog.address", "", false},
	{"values.global.meshExpansion.enabled", "an east-west gateway exposing istiod (samples/multicluster/gen-eastwest-gateway.sh --single-cluster and expose-istiod.yaml)", false, false},
	{"values.gateways.istio-ingressgateway.meshExpansionPorts", "components.ingressGateways[name=istio-ingressgateway].k8s.service.ports", nil, false},
	{"values.istiocoredns.enabled", "DNS proxying (meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE)", false, false},
	{"addonComponents.istiocoredns.enabled", "DNS proxying (meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE)", false, false},
	{"values.global.jwtPolicy", "third-party-jwt (the only policy current Istio supports)", "third-party-jwt", false},
	{"values.global.centralIstiod", "values.global.externalIstiod", false, false},
	{"values.global.arch", "affinity in components.*.k8s", nil, false},
	{"values.grafana.enabled", "the samples/addons deployments, installed separately", false, true},
	{"values.tracing.enabled", "the samples/addons deployments, installed separately", false, true},
	{"values.kiali.enabled", "the samples/addons deployments, installed separately", false, true},
	{"values.prometheus.enabled", "the samples/addons deployments, installed separately", false, true},
	{"addonComponents.grafana.enabled", "the samples/addons deployments, installed separately", false, true},
	{"addonComponents.tracing.enabled", "the samples/addons deployments, installed separately", false, true},
	{"addonComponents.kiali.enabled", "the samples/addons deployments, installed separately", false, true},
	{"addonComponents.prometheus.enabled", "the samples/addons deployments, installed separately", false, true},
	{"components.policy", "nothing (Mixer was removed in Istio 1.8)", nil, true},
	{"components.telemetry", "nothing (Mixer was removed in Istio 1.8; telemetry is built into the proxies)", nil, true},
}

// deprecatedOperatorSettings lists the settings of operatorDeprecations the
// IstioOperator sets to other than their default, in the table's order.
func deprecatedOperatorSettings(r *resource) []any {
	spec := r.obj["spec"]
	var out []any
	for _, d := range operatorDeprecations {
		v := dig(spec, strings.Split(d.path, ".")...)
		if v == nil || (d.def != nil && sameScalar(v, d.def)) {
			continue
		}
		out = append(out, map[string]any{"path": "spec." + d.path, "instead": d.instead, "removed": d.removed})
	}
	return out
}

// sameScalar compares a decoded YAML scalar with a default of the table.
func sameScalar(v, def any) bool {
	switch d := def.(type) {
	case bool:
		b, ok := v.(bool)
		return ok && b == d
	case string:
		s, ok := v.(string)
		return ok && s == d
	case int:
		switch n := v.(type) {
		case int:
			return n == d
		case int64:
			return n == int64(d)
		case float64:
			return n == float64(d)
		}
	}
	return false
}
