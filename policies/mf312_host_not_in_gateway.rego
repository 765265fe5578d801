# METADATA
# title: VirtualService bound to a Gateway that serves none of its hosts
# description: >-
#   A VirtualService names a Gateway in spec.gateways, but none of the
#   VirtualService's hosts is among the hosts that Gateway's servers offer
#   to the VirtualService's namespace, so the gateway never applies its
#   routes and requests for those hosts get 404 there. Follows istioctl
#   analyze's virtualservice.GatewayAnalyzer
#   (VirtualServiceHostNotFoundInGateway, IST0132): Gateway names resolve as
#   istiod reads them (ns/name, ./name, a short name in the
#   VirtualService's namespace, the legacy name.namespace form); server
#   hosts "ns/host" count only for VirtualServices of namespace ns ("./host"
#   for the Gateway's own, "*/host" for all); wildcards match either way
#   ("*.example.com" covers "shop.example.com" and the reverse). A short
#   VirtualService host counts both as written and as istiod resolves it
#   (name.namespace.svc.cluster.local), so neither reading alone raises a
#   finding. Only Gateways in the input are checked; one the input lacks is
#   MF313 (complete input only).
# custom:
#   id: MF312
#   severity: warning
#   remediation: >-
#     Add the host to a server of the Gateway (for another namespace's
#     VirtualServices as "namespace/host" or "*/host"), or bind the
#     VirtualService to the Gateway that serves the host, or fix the host.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: Gateway
#     metadata: {name: public, namespace: istio-ingress}
#     spec:
#       selector: {istio: ingressgateway}
#       servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["shop/*.example.com"]}]
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart.example.org]
#       gateways: [istio-ingress/public]
#       http: [{route: [{destination: {host: cart}}]}]
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: Gateway
#     metadata: {name: public, namespace: istio-ingress}
#     spec:
#       selector: {istio: ingressgateway}
#       servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["shop/*.example.com"]}]
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart.example.com]
#       gateways: [istio-ingress/public]
#       http: [{route: [{destination: {host: cart}}]}]
package meshfleet.rules.mf312

findings contains f if {
	some vs in input.resources.VirtualService
	some m in vs.gatewayHostMismatch
	f := {
		"ref": vs.ref,
		"path": sprintf("spec.gateways[%d]", [m.index]),
		"message": sprintf(
			"Gateway %s serves none of this VirtualService's hosts (%s) to namespace %s (%s), so the gateway never applies these routes; add the host to the Gateway's servers or bind the VirtualService to the Gateway that serves it",
			[m.gateway, concat(", ", m.hosts), vs.namespace, offered(m)],
		),
	}
}

offered(m) := "it offers no host there" if count(m.gatewayHosts) == 0

offered(m) := sprintf("it offers %s", [concat(", ", m.gatewayHosts)]) if {
	count(m.gatewayHosts) > 0
	m.more == 0
}

offered(m) := sprintf("it offers %s and %d more", [concat(", ", m.gatewayHosts), m.more]) if m.more > 0
