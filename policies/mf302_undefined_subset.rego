# METADATA
# title: VirtualService routes to a subset no DestinationRule defines
# description: >-
#   An http, tcp or tls route (or mirror) of a VirtualService names a
#   destination subset that no DestinationRule for the destination host
#   defines. Envoy has no cluster for it and the route fails with 503
#   "no healthy upstream" (NR). A DestinationRule counts only for routes in
#   the namespaces it is exported to (exportTo; unset: every namespace).
#   Hosts in namespaces the input does not mention are not checked, nor hosts with no DestinationRule in the input
#   whose namespace shows no Service or workload (their rules may live
#   with the apps, elsewhere).
# custom:
#   id: MF302
#   severity: error
#   remediation: >-
#     Add the subset to the host's DestinationRule, or fix the subset name in
#     the route.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#         - route:
#             - destination: {host: cart, subset: canary}   # no DestinationRule defines it
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#         - route:
#             - destination: {host: cart, subset: v1}     # defined by DestinationRule cart
package meshfleet.rules.mf302

import data.meshfleet.lib

findings contains f if {
	some d in input.destinations
	d.subset != ""

	# The rare case first: on a clean input every subset is defined, and
	# the rule stops here.
	not input.index.hosts[d.host].subsets[d.subset]
	lib.known_host(d.host)
	shows_rules(d)
	f := {
		"ref": d.ref,
		"path": concat("", [d.path, ".subset"]),
		"message": sprintf(
			"subset %q of %s is not defined in any DestinationRule for the host; add it to the DestinationRule's subsets or fix the name",
			[d.subset, d.host],
		),
	}
}

# The subset is defined, but only by DestinationRules not exported to the
# route's namespace (exportTo): clients there do not see them.
findings contains f if {
	some d in input.destinations
	d.subsetNotExported
	lib.known_host(d.host)
	shows_rules(d)
	f := {
		"ref": d.ref,
		"path": concat("", [d.path, ".subset"]),
		"message": sprintf(
			"subset %q of %s is defined only in %s, which is not exported to namespace %s, so routes there do not see it; export the DestinationRule to %s (exportTo) or define the subset in one that is",
			[d.subset, d.host, d.subsetNotExported.by, d.subsetNotExported.to, d.subsetNotExported.to],
		),
	}
}

# shows_rules is true when the input may be trusted to hold the host's
# DestinationRules: some DestinationRule for the host is in it, or the
# host's namespace shows its Services or workloads. A host in a namespace
# the input knows only from policies (istio-system with a mesh-wide
# PeerAuthentication) may have its rules elsewhere.
shows_rules(d) if d.checkable

shows_rules(d) if count(input.index.hosts[d.host].destinationRules) > 0
