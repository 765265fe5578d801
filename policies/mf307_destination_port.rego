# METADATA
# title: Route destination port is not a Service port, or missing on a gateway route
# description: >-
#   A route destination (or mirror) of a VirtualService names a port.number
#   that the destination's Service does not expose: Envoy has no cluster for
#   that port and the route fails with 503 (error). Or a route bound to a
#   gateway (the VirtualService's gateways, or every match's gateways, name
#   one other than mesh) gives no port while the Service has several: Istio
#   then uses the port the gateway listens on, which reaches the Service
#   only if it happens to be one of its ports (warning). Routes applied only
#   to the mesh may omit the port (the sidecar uses the port the client
#   dialled). Only hosts whose Services are all in the input are checked;
#   hosts a ServiceEntry provides and ExternalName Services are not.
# custom:
#   id: MF307
#   severity: error
#   remediation: >-
#     Use one of the Service's ports (port, not targetPort) as
#     destination.port.number; on gateway routes to a Service with several
#     ports always set it.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart.example.com]
#       gateways: [istio-ingress/public]
#       http:
#         - route:
#             - destination: {host: cart, port: {number: 8081}}  # Service ports: 80, 9090
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart.example.com]
#       gateways: [istio-ingress/public]
#       http:
#         - route:
#             - destination: {host: cart, port: {number: 80}}
package meshfleet.rules.mf307

findings contains f if {
	some d in input.destinations
	is_number(d.port)
	count(d.hostPorts) > 0
	not d.port in d.hostPorts
	f := {
		"ref": d.ref,
		"path": concat("", [d.path, ".port.number"]),
		"message": sprintf(
			"port %v is not a port of Service %s (ports %s): Envoy has no cluster for it and the route fails with 503; use one of the Service's ports",
			[d.port, d.host, ports(d)],
		),
	}
}

# The missing-port case is a warning: it breaks only when the gateway's
# listener port is not a Service port.
findings contains f if {
	some d in input.destinations
	d.port == null
	d.gatewayBound
	count(d.hostPorts) > 1
	f := {
		"ref": d.ref,
		"path": d.path,
		"message": sprintf(
			"no port on a route bound to a gateway while Service %s has ports %s: Istio then uses the gateway's listener port, which reaches the Service only if it is one of them; set port.number",
			[d.host, ports(d)],
		),
		"severity": "warning",
	}
}

ports(d) := concat(", ", [sprintf("%v", [p]) | some p in d.hostPorts])
