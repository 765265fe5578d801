# METADATA
# title: VirtualService names a Gateway that does not exist
# description: >-
#   With a complete input (lint --complete, complete: true), a
#   VirtualService names in spec.gateways a Gateway the input does not
#   hold: no gateway applies its routes, so requests entering there get
#   404. Follows istioctl analyze's virtualservice.GatewayAnalyzer
#   (ReferencedResourceNotFound, IST0101, for a gateway), with Gateway
#   names resolved as istiod reads them (ns/name, ./name, a short name in
#   the VirtualService's namespace, the legacy name.namespace form); "mesh"
#   is not a Gateway. istioctl also reports IST0132 for the same reference;
#   meshfleet reports it once. Silent on a partial input (the Gateway may
#   be defined elsewhere), for Gateways in namespaces every cluster has but
#   the input does not hold (default, kube-system, the root namespace,
#   where Istio's installation usually puts them), and for a Gateway that
#   is in the input but fails its schema (MF101).
# custom:
#   id: MF313
#   severity: error
#   remediation: >-
#     Fix the gateway reference (namespace/name of an existing Gateway), or
#     add the Gateway.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart.example.com]
#       gateways: [shop-gateway]   # no Gateway shop/shop-gateway
#       http: [{route: [{destination: {host: cart}}]}]
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: Gateway
#     metadata: {name: shop-gateway, namespace: shop}
#     spec:
#       selector: {istio: ingressgateway}
#       servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [cart.example.com]}]
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart.example.com]
#       gateways: [shop-gateway]
#       http: [{route: [{destination: {host: cart}}]}]
package meshfleet.rules.mf313

import data.meshfleet.lib

findings contains f if {
	lib.complete
	some vs in input.resources.VirtualService
	some m in vs.gatewaysMissing
	lib.known_namespace(m.namespace)
	f := {
		"ref": vs.ref,
		"path": sprintf("spec.gateways[%d]", [m.index]),
		"message": sprintf(
			"Gateway %s does not exist (the input is complete and holds no Gateway of that name), so no gateway applies these routes; fix the reference or add the Gateway",
			[m.gateway],
		),
	}
}
