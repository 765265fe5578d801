# METADATA
# title: ALLOW policy without rules denies every request
# description: >-
#   An AuthorizationPolicy whose action is ALLOW (the default) and that has no
#   rules (`spec: {}`, or only a selector) matches no request; since a
#   workload with an ALLOW policy admits only what some ALLOW policy matches,
#   every request to the workloads it applies to is denied unless another
#   ALLOW policy matches it. That is the usual default-deny ("allow-nothing")
#   policy, so this is information: check that it is intended.
# custom:
#   id: MF603
#   severity: info
#   remediation: >-
#     Keep it as the default-deny baseline and allow traffic with other
#     policies, or add rules that list what to allow.
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: allow-nothing, namespace: shop}
#     spec: {}
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: allow-storefront, namespace: shop}
#     spec:
#       rules:
#         - from:
#             - source: {namespaces: [storefront]}
package meshfleet.rules.mf603

import data.meshfleet.lib

findings contains f if {
	some ap in input.resources.AuthorizationPolicy
	ap.ruleCount == 0
	ap.action == "ALLOW"
	keys := ap.specKeys
	f := {
		"ref": ap.ref,
		"path": path(keys),
		"message": sprintf(
			"this ALLOW policy has no rules, so it matches nothing and denies every request to %s that no other ALLOW policy admits; fine as a default-deny baseline, otherwise add rules listing what to allow",
			[scope(ap, keys)],
		),
	}
}

# keys are the keys of spec ([] without one), as the index lists them.
path(keys) := "spec.rules" if "rules" in keys

path(keys) := "spec" if not "rules" in keys

scope(_, keys) := "the targeted gateway or waypoint" if {
	some k in ["targetRef", "targetRefs"]
	k in keys
}

scope(ap, keys) := lib.policy_scope(ap) if {
	not "targetRef" in keys
	not "targetRefs" in keys
}
