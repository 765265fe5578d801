# METADATA
# title: ALLOW with negative matches, or DENY with positive matches
# description: >-
#   Istio's security best practice is ALLOW with positive matches (list what
#   is allowed) and DENY with negative matches (deny all but what is listed):
#   then a request the policy did not foresee (another spelling, a path
#   normalised differently, a new caller) is at worst rejected with 403. An
#   ALLOW rule with notPrincipals, notNamespaces, notPaths, notMethods,
#   notPorts, notHosts, notIpBlocks, notRemoteIpBlocks, notRequestPrincipals
#   or a when condition's notValues, or a DENY rule with principals,
#   namespaces, paths, methods, hosts, ipBlocks, remoteIpBlocks,
#   requestPrincipals or values, lets such a request through instead. DENY
#   with ports is not reported: Istio itself recommends scoping DENY rules to
#   ports. Information only: the pattern is common and often deliberate.
# custom:
#   id: MF604
#   severity: info
#   remediation: >-
#     Turn the match around: ALLOW with the positive field (paths instead of
#     notPaths), or DENY with the negative one (notPaths instead of paths).
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: api, namespace: shop}
#     spec:
#       action: DENY
#       rules:
#         - to:
#             - operation: {paths: [/admin]}   # /admin/ or /Admin may slip through
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: api, namespace: shop}
#     spec:
#       action: DENY
#       rules:
#         - to:
#             - operation: {notPaths: [/public, /public/*]}
package meshfleet.rules.mf604

fields := {
	"ALLOW": {
		"notPrincipals", "notRequestPrincipals", "notNamespaces", "notIpBlocks", "notRemoteIpBlocks",
		"notHosts", "notPorts", "notMethods", "notPaths", "notValues",
	},
	"DENY": {
		"principals", "requestPrincipals", "namespaces", "ipBlocks", "remoteIpBlocks",
		"hosts", "methods", "paths", "values",
	},
}

advice := {
	"ALLOW": "ALLOW with a negative match admits whatever the list does not foresee (another spelling, a normalised path, a new caller); Istio recommends ALLOW with positive matches, so a mismatch ends in a 403 rather than a bypass",
	"DENY": "DENY with a positive match lets through whatever escapes the list (another spelling, a normalised path, a new caller); Istio recommends DENY with negative matches, so a mismatch ends in a 403 rather than a bypass",
}

findings contains f if {
	some ap in input.resources.AuthorizationPolicy
	some field, cs in ap.conditions
	fields[ap.action][field]
	some c in cs
	f := {
		"ref": ap.ref,
		"path": c.path,
		"message": sprintf("%s uses %s: %s", [ap.action, field, advice[ap.action]]),
	}
}
