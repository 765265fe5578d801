# METADATA
# title: Short host resolves in the resource's own namespace, not where the Service is
# description: >-
#   A VirtualService (a host it applies to, or a route destination) or a
#   DestinationRule names a host by its short name. Istio resolves a short
#   name in the namespace of the resource that writes it, not the Service's:
#   there nothing of that name exists, while a Service of that name lives in
#   another namespace of the input. The DestinationRule or VirtualService
#   then applies to nothing, or the route leads nowhere. Route destinations
#   that MF303 reports (the destination's namespace shows its Services in the
#   input) are left to MF303, whose message carries the same suggestion; a
#   VirtualService bound only to gateways is not checked for its hosts
#   (there they match the Host header, not a Service).
# custom:
#   id: MF306
#   severity: warning
#   remediation: >-
#     Write the host as name.namespace or as the FQDN
#     (name.namespace.svc.cluster.local), or move the resource into the
#     Service's namespace.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: DestinationRule
#     metadata: {name: cart, namespace: frontend}
#     spec:
#       host: cart            # cart.frontend: the Service is cart.shop
#       trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: DestinationRule
#     metadata: {name: cart, namespace: frontend}
#     spec:
#       host: cart.shop.svc.cluster.local
#       trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
package meshfleet.rules.mf306

import data.meshfleet.lib

findings contains f if {
	some d in input.destinations
	not lib.checkable(d)
	d.provided == false
	count(d.elsewhere) > 0
	f := finding(d.ref, concat("", [d.path, ".host"]), d)
}

findings contains f if {
	some ns in input.namespaces
	some vs in input.index.virtualServices[ns]
	some h in vs.shortHosts
	f := finding(vs.ref, h.path, h)
}

findings contains f if {
	some dr in input.resources.DestinationRule
	h := dr.shortHost
	f := finding(dr.ref, "spec.host", h)
}

finding(ref, path, h) := {
	"ref": ref,
	"path": path,
	"message": sprintf(
		"short host %q resolves to %s, where no Service or ServiceEntry provides it; did you mean %s?",
		[h.rawHost, h.host, concat(" or ", h.elsewhere)],
	),
}
