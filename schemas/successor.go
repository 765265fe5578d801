package schemas

// successor records where an older Istio apiVersion's kind is served at v1.
// No CRD marks the older versions deprecated (Istio keeps serving them), so
// this feeds an info finding, never a deprecation warning.
type successor struct{ apiVersion, since string }

// successors is checked against Istio's record: the networking, telemetry
// and PeerAuthentication APIs were promoted to v1 in Istio 1.22 ("Introducing
// Istio v1 APIs", istio.io blog, May 2024); AuthorizationPolicy and
// RequestAuthentication were already served at security.istio.io/v1 from
// Istio 1.17 (istio/istio#44447, whose tests use v1 "for 1.17+"; Istio 1.17
// itself installs AuthorizationPolicy at v1, IBM/network-config-analyzer#443).
var successors = func() map[gvk]successor {
	m := map[gvk]successor{}
	for _, kind := range []string{"DestinationRule", "Gateway", "ServiceEntry", "Sidecar", "VirtualService", "WorkloadEntry", "WorkloadGroup"} {
		for _, v := range []string{"networking.istio.io/v1alpha3", "networking.istio.io/v1beta1"} {
			m[gvk{v, kind}] = successor{"networking.istio.io/v1", "1.22"}
		}
	}
	m[gvk{"security.istio.io/v1beta1", "PeerAuthentication"}] = successor{"security.istio.io/v1", "1.22"}
	m[gvk{"security.istio.io/v1beta1", "AuthorizationPolicy"}] = successor{"security.istio.io/v1", "1.17"}
	m[gvk{"security.istio.io/v1beta1", "RequestAuthentication"}] = successor{"security.istio.io/v1", "1.17"}
	m[gvk{"telemetry.istio.io/v1alpha1", "Telemetry"}] = successor{"telemetry.istio.io/v1", "1.22"}
	return m
}()

// Successor reports the v1 apiVersion that serves kind when apiVersion is
// an older Istio version of it, and the Istio release that introduced v1
// for the kind. Telemetry v1 dropped a few v1alpha1 fields, which
// validation against the v1 schema will name.
func Successor(apiVersion, kind string) (newAPIVersion, sinceIstio string, ok bool) {
	s, ok := successors[gvk{apiVersion, kind}]
	return s.apiVersion, s.since, ok
}
