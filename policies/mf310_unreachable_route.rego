# METADATA
# title: VirtualService route that no request can reach
# description: >-
#   Envoy tries a VirtualService's http routes in order (tcp and tls routes
#   likewise) and takes the first that matches, so a route after one that
#   takes every request never runs: after a route without match, after an
#   http match that matches everything as istiod reads it (uri prefix "/",
#   or regex ".*", or no uri, and no other condition; istiod stops
#   generating routes there), or after an L4 match with no condition. A
#   route every match of which repeats an earlier match (the same
#   conditions, names aside) or is covered by an earlier uri prefix match
#   with the same other conditions is unreachable too. A route that
#   delegates (delegate) catches only what its delegate's routes catch, so
#   it makes no later route unreachable. Follows istiod's
#   validation (VirtualServiceUnreachableRule, IST0130, reported by
#   istioctl analyze); its fault injection, retries, rewrites and
#   destinations silently never apply. Matches made ineffective in a route
#   that stays reachable are MF311.
# custom:
#   id: MF310
#   severity: warning
#   remediation: >-
#     Put the most specific routes first and the catch-all route last, or
#     merge the unreachable route's settings (fault, mirror, retries) into
#     the route that takes its traffic.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#       - route: [{destination: {host: cart, subset: v1}}]
#       - match: [{headers: {x-canary: {exact: "true"}}}]
#         route: [{destination: {host: cart, subset: v2}}]
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: VirtualService
#     metadata: {name: cart, namespace: shop}
#     spec:
#       hosts: [cart]
#       http:
#       - match: [{headers: {x-canary: {exact: "true"}}}]
#         route: [{destination: {host: cart, subset: v2}}]
#       - route: [{destination: {host: cart, subset: v1}}]
package meshfleet.rules.mf310

findings contains f if {
	some vs in input.resources.VirtualService
	some u in vs.unreachableRoutes
	f := {
		"ref": vs.ref,
		"path": u.path,
		"message": sprintf("%s can never be reached: %s; %s", [route(u), why(u), fix(u)]),
	}
}

route(u) := sprintf("route %s (%q)", [u.path, u.name]) if u.name != ""

route(u) := sprintf("route %s", [u.path]) if u.name == ""

why(u) := sprintf("%s %s", [u.by, u.byWhy]) if u.reason == "catchAll"

why(u) := sprintf("each of its matches repeats or is covered by an earlier one (the first by %s)", [u.by]) if {
	u.reason == "covered"
}

fix(u) := "move it before the catch-all route, or merge its settings into that route" if u.reason == "catchAll"

fix(u) := "remove it, or make its matches more specific than the earlier ones" if u.reason == "covered"
