# METADATA
# title: ALLOW policy with an empty rule allows everything
# description: >-
#   An AuthorizationPolicy rule without from, to and when (`rules: [{}]`)
#   matches every request. In an ALLOW policy it admits all traffic to the
#   workloads the policy applies to, and since a request is allowed when any
#   ALLOW policy matches, every other ALLOW policy for those workloads stops
#   restricting anything. Rules whose from, to or when lists are present but
#   empty count as empty too.
# custom:
#   id: MF602
#   severity: warning
#   remediation: >-
#     List the sources and operations to allow in the rule. If the intent is
#     to deny everything, remove the rule (an ALLOW policy without rules
#     denies all); if it is to allow everything, delete the policy.
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: api, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: api}}
#       action: ALLOW
#       rules:
#         - {}
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: api, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: api}}
#       action: ALLOW
#       rules:
#         - from:
#             - source: {namespaces: [storefront]}
package meshfleet.rules.mf602

import data.meshfleet.lib

findings contains f if {
	some ap in input.resources.AuthorizationPolicy
	some i in ap.emptyRules
	ap.action == "ALLOW"
	f := {
		"ref": ap.ref,
		"path": sprintf("spec.rules[%d]", [i]),
		"message": sprintf(
			"rule %d has no from, to or when, so it matches every request: this ALLOW policy admits all traffic to %s, and no other ALLOW policy there restricts anything; list the sources and operations to allow, or remove the rule if the policy is meant to deny all",
			[i, lib.policy_scope(ap)],
		),
	}
}
