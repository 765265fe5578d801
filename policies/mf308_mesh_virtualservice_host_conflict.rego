# METADATA
# title: Two mesh VirtualServices for one host
# description: >-
#   Two or more VirtualServices bound to the mesh gateway (no gateways, or
#   mesh among them) name the same host and are visible in the same
#   namespaces. Sidecars take one VirtualService per host: Istio merges such
#   rules only for ingress gateways, so for sidecars one of them wins,
#   which one is not defined, and the other's routes (its retries, splits,
#   fault injection) silently do not apply. Follows istioctl analyze's
#   ConflictingMeshGatewayHostsAnalyzer (IST0109
#   ConflictingMeshGatewayVirtualServiceHosts): hosts are compared as FQDNs
#   (short names in the VirtualService's namespace), visibility by
#   spec.exportTo (unset or "*" everywhere, "." its own namespace, "~"
#   nowhere), and reported on each VirtualService involved. VirtualServices
#   bound only to gateways are not reported (gateways merge them by
#   design), nor are ones exported to disjoint namespaces; one object
#   written twice (same namespace and name) is one VirtualService, the later
#   copy winning.
# custom:
#   id: MF308
#   severity: warning
#   remediation: >-
#     Merge the routes into one VirtualService per host, or use delegate
#     VirtualServices, or export each to the namespaces that should use it.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http: [{route: [{destination: {host: cart}}]}]
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart-retries, namespace: shop}
#     spec:
#       hosts: [cart.shop.svc.cluster.local]
#       http: [{retries: {attempts: 3}, route: [{destination: {host: cart}}]}]
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http: [{retries: {attempts: 3}, route: [{destination: {host: cart}}]}]
package meshfleet.rules.mf308

findings contains f if {
	some vs in input.resources.VirtualService
	some c in vs.meshHostConflicts
	f := {
		"ref": vs.ref,
		"path": sprintf("spec.hosts[%d]", [c.index]),
		"message": sprintf(
			"%s %s to the mesh where this one is visible: sidecars apply only one of them, which one is undefined; merge them into one VirtualService per host",
			[others(c), c.host],
		),
	}
}

others(c) := sprintf("VirtualService %s also binds", c.others) if c.count == 1

others(c) := sprintf("VirtualServices %s also bind", [concat(", ", c.others)]) if {
	c.count > 1
	c.count <= 3
}

others(c) := sprintf("VirtualServices %s and %d more also bind", [concat(", ", c.others), c.count - 3]) if c.count > 3
