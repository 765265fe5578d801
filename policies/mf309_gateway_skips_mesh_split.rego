# METADATA
# title: Gateway route skips the mesh's subset split
# description: >-
#   A VirtualService bound to a gateway routes to a host without a subset,
#   while a mesh VirtualService for that host (bound to mesh: no gateways,
#   or mesh among them) routes it by subset, a canary or version split. A
#   gateway proxy applies only the VirtualServices bound to it: the mesh
#   one does not run there, so requests entering through the gateway go to
#   every endpoint of the host, whatever version, and skip the split (the
#   canary gets ingress traffic in proportion to its pods, or a version
#   meant to be dark gets some). Only routes (not mirrors) are compared, for
#   the exact host, the mesh VirtualService naming the host in spec.hosts
#   and routing it to a subset there; the finding names the first such
#   mesh route (by file and position).
# custom:
#   id: MF309
#   severity: warning
#   remediation: >-
#     Route the gateway's traffic by the same subsets and weights as the
#     mesh VirtualService (or delegate both to one set of routes), or bind
#     the mesh VirtualService to the gateway as well.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart-ingress, namespace: shop}
#     spec:
#       hosts: [shop.example.com]
#       gateways: [shop-gateway]
#       http: [{route: [{destination: {host: cart}}]}]
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#       - route:
#         - {destination: {host: cart, subset: v1}, weight: 90}
#         - {destination: {host: cart, subset: v2}, weight: 10}
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart-ingress, namespace: shop}
#     spec:
#       hosts: [shop.example.com]
#       gateways: [shop-gateway]
#       http:
#       - route:
#         - {destination: {host: cart, subset: v1}, weight: 90}
#         - {destination: {host: cart, subset: v2}, weight: 10}
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#       - route:
#         - {destination: {host: cart, subset: v1}, weight: 90}
#         - {destination: {host: cart, subset: v2}, weight: 10}
package meshfleet.rules.mf309

findings contains f if {
	some d in input.destinations
	s := d.meshSplit
	f := {
		"ref": d.ref,
		"path": d.path,
		"message": sprintf(
			"routes gateway traffic to %s with no subset, while VirtualService %s/%s splits mesh traffic to it by subset (%q at %s): the gateway does not apply that split, so ingress requests reach every version; route to the subsets here too",
			[d.host, s.namespace, s.name, s.subset, s.path],
		),
	}
}
