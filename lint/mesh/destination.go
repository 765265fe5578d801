package mesh

import (
	"fmt"
	"strings"

	"github.com/meshfleet/meshfleet/lint"
)

// clientTLS is the TLS a client sidecar uses towards one destination.
type clientTLS struct {
	// mode: DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL, or "" for auto mTLS.
	mode string
	// explicit: a DestinationRule sets it.
	explicit bool
	why      string
	where    at
}

// destination resolves one routed destination: its host's workloads (or
// ServiceEntry endpoints), narrowed by the DestinationRule subset, and the
// client TLS setting that rule gives.
func (md *Model) destination(f From, q Request, d weighted, res *Result) routed {
	out := routed{dest: Destination{Host: d.host, Subset: d.subset, Port: d.port, Weight: d.weight}}
	h, ok := md.m.Host(d.host)
	if !ok || len(h.Services)+len(h.ServiceEntries) == 0 {
		res.step("destinations", none, "%s: no Service or ServiceEntry provides this host (503)", destText(out.dest))
		out.noHost = true
		return out
	}
	var eps []endpoint
	for _, ref := range append(append([]int{}, h.Services...), h.ServiceEntries...) {
		if md.m.Invalid(ref) || !md.m.VisibleIn(ref, f.Namespace) {
			continue
		}
		eps = append(eps, md.serviceEndpoints(ref, d.port)...)
		if md.m.Kind(ref) == "ServiceEntry" {
			if _, sel := md.m.Selected(ref); !sel {
				out.entries = append(out.entries, md.m.ID(ref))
			}
		}
	}
	dr, subset, spath := md.destinationRule(f, d)
	tls := clientTLS{where: none}
	if dr >= 0 {
		res.step("destinations", md.where(dr, ""), "DestinationRule %s/%s applies to %s", md.m.Namespace(dr), md.m.Name(dr), d.host)
		tls = md.tlsOf(dr, subset, spath, d.port)
	}
	out.tls = tls
	if d.subset != "" {
		if subset == nil {
			out.missing = true
			return out
		}
		labels := stringMapOf(subset["labels"])
		kept := eps[:0:0]
		for _, e := range eps {
			if lint.MatchesLabels(labels, e.w.Labels) {
				kept = append(kept, e)
			}
		}
		res.step("destinations", md.where(dr, spath), "subset %s selects %s: %d of %d endpoints", d.subset, labelText(labels), len(kept), len(eps))
		eps = kept
		out.entries = nil
	}
	out.eps = eps
	res.step("destinations", none, "%s, %d%% of requests", destText(out.dest), d.weight)
	return out
}

func labelText(m map[string]string) string {
	keys := sortedKeys(anyMap(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ",")
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// destinationRule picks the DestinationRule the caller's sidecar uses for
// the destination's host, as istiod looks one up for a proxy: a rule of the
// caller's namespace (one whose workloadSelector selects the caller before
// one without), then one of the host's namespace exported to the caller,
// then one of the root namespace, then any other exported to it; the oldest
// first within each. It returns the rule, the subset (nil when not
// defined) and the subset's path.
func (md *Model) destinationRule(f From, d weighted) (int, map[string]any, string) {
	h, _ := md.m.Host(d.host)
	hostNS := ""
	if len(h.Services) > 0 {
		hostNS = md.m.Namespace(h.Services[0])
	} else if len(h.ServiceEntries) > 0 {
		hostNS = md.m.Namespace(h.ServiceEntries[0])
	}
	tiers := make([][]int, 5)
	for _, ref := range h.DestinationRules {
		if md.m.Invalid(ref) {
			continue
		}
		ns := md.m.Namespace(ref)
		obj := md.m.Object(ref)
		if sel := stringMapOf(dig(obj, "spec", "workloadSelector", "matchLabels")); len(sel) > 0 {
			// A workload-scoped rule applies to the workloads it selects
			// in its own namespace only.
			if ns == f.Namespace && lint.MatchesLabels(sel, f.Labels) {
				tiers[0] = append(tiers[0], ref)
			}
			continue
		}
		switch {
		case ns == f.Namespace:
			tiers[1] = append(tiers[1], ref)
		case !md.m.VisibleIn(ref, f.Namespace):
		case ns == hostNS:
			tiers[2] = append(tiers[2], ref)
		case ns == md.m.RootNamespace():
			tiers[3] = append(tiers[3], ref)
		default:
			tiers[4] = append(tiers[4], ref)
		}
	}
	for _, t := range tiers {
		if len(t) == 0 {
			continue
		}
		md.m.Older(t)
		dr := t[0]
		if d.subset != "" {
			// Rules of one namespace for one host merge: a later rule's
			// subsets join the first's (istiod's mergeDestinationRule).
			for _, ref := range t {
				if md.m.Namespace(ref) != md.m.Namespace(dr) {
					continue
				}
				for i, s := range listOf(dig(md.m.Object(ref), "spec", "subsets")) {
					sm := mapOf(s)
					if str(sm["name"]) == d.subset {
						return ref, sm, fmt.Sprintf("spec.subsets[%d]", i)
					}
				}
			}
		}
		return dr, nil, ""
	}
	return -1, nil, ""
}

// tlsOf reads the client TLS setting of a DestinationRule for one port and
// subset: trafficPolicy.tls, overridden by the matching portLevelSettings,
// then by the subset's trafficPolicy and its portLevelSettings (istio.io
// "Destination Rule", TrafficPolicy: subset settings override the
// top-level ones).
func (md *Model) tlsOf(dr int, subset map[string]any, spath string, port int) clientTLS {
	out := clientTLS{where: none}
	set := func(tp map[string]any, path string) {
		if tp == nil {
			return
		}
		if m := str(dig(tp, "tls", "mode")); m != "" {
			out = clientTLS{mode: strings.ToUpper(m), explicit: true, where: md.where(dr, path+".tls.mode"),
				why: fmt.Sprintf("DestinationRule %s/%s %s.tls.mode %s", md.m.Namespace(dr), md.m.Name(dr), path, strings.ToUpper(m))}
		}
		for i, pl := range listOf(tp["portLevelSettings"]) {
			pm := mapOf(pl)
			if intOf(dig(pm, "port", "number")) == port {
				if m := str(dig(pm, "tls", "mode")); m != "" {
					p := fmt.Sprintf("%s.portLevelSettings[%d]", path, i)
					out = clientTLS{mode: strings.ToUpper(m), explicit: true, where: md.where(dr, p+".tls.mode"),
						why: fmt.Sprintf("DestinationRule %s/%s %s.tls.mode %s", md.m.Namespace(dr), md.m.Name(dr), p, strings.ToUpper(m))}
				}
			}
		}
	}
	set(mapOf(dig(md.m.Object(dr), "spec", "trafficPolicy")), "spec.trafficPolicy")
	if subset != nil {
		set(mapOf(subset["trafficPolicy"]), spath+".trafficPolicy")
	}
	return out
}
