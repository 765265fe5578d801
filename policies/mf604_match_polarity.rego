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

import data.meshfleet.lib

source_fields := {
	"ALLOW": ["notPrincipals", "notRequestPrincipals", "notNamespaces", "notIpBlocks", "notRemoteIpBlocks"],
	"DENY": ["principals", "requestPrincipals", "namespaces", "ipBlocks", "remoteIpBlocks"],
}

operation_fields := {
	"ALLOW": ["notHosts", "notPorts", "notMethods", "notPaths"],
	"DENY": ["hosts", "methods", "paths"],
}

condition_field := {"ALLOW": "notValues", "DENY": "values"}

advice := {
	"ALLOW": "ALLOW with a negative match admits whatever the list does not foresee (another spelling, a normalised path, a new caller); Istio recommends ALLOW with positive matches, so a mismatch ends in a 403 rather than a bypass",
	"DENY": "DENY with a positive match lets through whatever escapes the list (another spelling, a normalised path, a new caller); Istio recommends DENY with negative matches, so a mismatch ends in a 403 rather than a bypass",
}

findings contains f if {
	some ap in input.resources.AuthorizationPolicy
	lib.istio(ap)
	action := object.get(ap.object, ["spec", "action"], "ALLOW")
	some i, rule in object.get(ap.object, ["spec", "rules"], [])
	some [path, field] in matches(rule, action)
	f := {
		"ref": ap.ref,
		"path": sprintf("spec.rules[%d].%s", [i, path]),
		"message": sprintf("%s uses %s: %s", [action, field, advice[action]]),
	}
}

matches(rule, action) := union({source_matches(rule, action), operation_matches(rule, action), condition_matches(rule, action)})

source_matches(rule, action) := {[path, field] |
	some j, from in object.get(rule, "from", [])
	some field in source_fields[action]
	count(object.get(from, ["source", field], [])) > 0
	path := sprintf("from[%d].source.%s", [j, field])
}

operation_matches(rule, action) := {[path, field] |
	some j, to in object.get(rule, "to", [])
	some field in operation_fields[action]
	count(object.get(to, ["operation", field], [])) > 0
	path := sprintf("to[%d].operation.%s", [j, field])
}

condition_matches(rule, action) := {[path, field] |
	some j, cond in object.get(rule, "when", [])
	field := condition_field[action]
	count(object.get(cond, field, [])) > 0
	path := sprintf("when[%d].%s", [j, field])
}
