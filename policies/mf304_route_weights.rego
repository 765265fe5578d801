# METADATA
# title: Route weights do not add up to 100
# description: >-
#   The weights of an http, tcp or tls route's destinations do not add up to
#   100. Istio treats weights as relative (each destination receives
#   weight/total of the traffic), so the split that results is not the one
#   the numbers suggest; the message states the effective split. A
#   destination without a weight counts as 0 (it receives nothing), so 100
#   plus destinations without weight is fine. Also reported: several
#   destinations that all weigh 0, which Istio rejects ("total destination
#   weight = 0"), and a single destination with a weight other than 100,
#   which receives all traffic anyway.
# custom:
#   id: MF304
#   severity: warning
#   remediation: >-
#     Make the weights add up to 100 so they read as percentages, e.g. 90 and
#     10; give a single destination weight 100 or none.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#         - route:
#             - {destination: {host: cart, subset: v1}, weight: 90}
#             - {destination: {host: cart, subset: v2}, weight: 20}
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#         - route:
#             - {destination: {host: cart, subset: v1}, weight: 80}
#             - {destination: {host: cart, subset: v2}, weight: 20}
package meshfleet.rules.mf304

findings contains f if {
	some ns in input.namespaces
	some vs in input.index.virtualServices[ns]
	some s in vs.weightSplits
	s.count > 1
	s.total > 0
	s.total != 100
	f := {
		"ref": vs.ref,
		"path": s.path,
		"message": sprintf(
			"weights add up to %d%s; Istio normalises them to %s; make them add up to 100",
			[s.total, unweighted(s), s.split],
		),
	}
}

findings contains f if {
	some ns in input.namespaces
	some vs in input.index.virtualServices[ns]
	some s in vs.weightSplits
	s.count > 1
	s.total == 0
	f := {
		"ref": vs.ref,
		"path": s.path,
		"message": "every destination weighs 0 (an omitted weight is 0), so Istio rejects the route (total destination weight = 0); give the destination that should get the traffic weight 100",
	}
}

findings contains f if {
	some ns in input.namespaces
	some vs in input.index.virtualServices[ns]
	some s in vs.weightSplits
	s.count == 1
	w := s.weights[0]
	w != null
	w != 100
	f := {
		"ref": vs.ref,
		"path": concat("", [s.path, "[0].weight"]),
		"message": sprintf(
			"a single destination receives all traffic, so weight %d has no effect; set 100 or drop it",
			[w],
		),
	}
}

unweighted(s) := "" if s.given == s.count

unweighted(s) := " (destinations without a weight count as 0)" if s.given != s.count
