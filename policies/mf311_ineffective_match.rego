# METADATA
# title: VirtualService match that an earlier match makes ineffective
# description: >-
#   A match of a route repeats an earlier match of the same VirtualService
#   (the same conditions; match names do not count), or is a uri prefix
#   match that an earlier prefix match with the same other conditions, or
#   none, covers (prefix /api before /api/v1): Envoy sends its requests to the
#   earlier route, so this match never applies, though other matches keep
#   its route reachable. Follows istiod's validation
#   (VirtualServiceIneffectiveMatch, IST0131, reported by istioctl
#   analyze); of istiod's prefix overlap check only the part that is always
#   true is kept (istiod also compares methods, authorities and headers by
#   string prefix, which can flag matches that do apply). A delegating
#   route's matches make no later match ineffective (its delegate's routes
#   decide what it catches). A route all of whose matches are ineffective
#   is MF310 instead.
# custom:
#   id: MF311
#   severity: info
#   remediation: >-
#     Remove the match, or order the routes so the more specific match (the
#     longer prefix) comes first.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#       - match: [{uri: {prefix: /api}}]
#         route: [{destination: {host: cart, subset: v1}}]
#       - match: [{uri: {prefix: /api/v2}}, {headers: {x-v2: {exact: "1"}}}]
#         route: [{destination: {host: cart, subset: v2}}]
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#       - match: [{uri: {prefix: /api/v2}}, {headers: {x-v2: {exact: "1"}}}]
#         route: [{destination: {host: cart, subset: v2}}]
#       - match: [{uri: {prefix: /api}}]
#         route: [{destination: {host: cart, subset: v1}}]
package meshfleet.rules.mf311

findings contains f if {
	some vs in input.resources.VirtualService
	some m in vs.ineffectiveMatches
	f := {
		"ref": vs.ref,
		"path": m.path,
		"message": sprintf("match %s never applies: %s, so its requests go there; remove it or put the more specific match first", [m.path, why(m)]),
	}
}

why(m) := sprintf("it repeats %s", [m.by]) if m.how == "duplicate"

why(m) := sprintf("uri prefix %q is covered by the shorter prefix %q of %s, which asks for nothing else this match does not", [m.prefix, m.byPrefix, m.by]) if m.how == "prefix"
