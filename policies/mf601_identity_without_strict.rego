# METADATA
# title: Identity conditions on workloads that accept plaintext
# description: >-
#   principals, notPrincipals, namespaces and notNamespaces are read from the
#   caller's mTLS certificate. A workload whose effective mTLS mode is
#   PERMISSIVE or DISABLE (on the ports the rule covers) also takes plaintext
#   requests, which carry no identity. Then an ALLOW rule with principals or
#   namespaces never matches them (such callers are denied even when they are
#   the ones listed), an ALLOW rule with notPrincipals or notNamespaces matches
#   every one of them (plaintext callers are admitted), and a DENY rule with
#   principals or namespaces never matches them (a plaintext caller from a
#   denied namespace gets through). A DENY rule with notPrincipals or
#   notNamespaces denies every plaintext request, which is what it means, so it
#   is reported only under DISABLE, where every request is plaintext and the
#   listed callers are rejected too. The mode follows PeerAuthentication
#   precedence; a mode that only Istio's default sets is taken as proven only
#   when the input holds the root namespace, and workloads outside the mesh
#   (no proxy enforces the policy: a pod Istio does not inject, by its own
#   opt-out or its namespace's injection labels, or a WorkloadEntry with
#   tlsMode disabled) are not checked.
# custom:
#   id: MF601
#   severity: warning
#   remediation: >-
#     Make mTLS STRICT for the workloads (a PeerAuthentication for them or
#     their namespace), or match callers on something plaintext requests
#     carry, such as ipBlocks.
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: PeerAuthentication
#     metadata: {name: default, namespace: data}
#     spec: {mtls: {mode: PERMISSIVE}}
#     ---
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: db, namespace: data}
#     spec:
#       action: DENY
#       rules:
#         - from:
#             - source: {namespaces: [sandbox]}   # plaintext from sandbox bypasses it
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: PeerAuthentication
#     metadata: {name: default, namespace: data}
#     spec: {mtls: {mode: STRICT}}
#     ---
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: db, namespace: data}
#     spec:
#       action: DENY
#       rules:
#         - from:
#             - source: {namespaces: [sandbox]}
package meshfleet.rules.mf601

weak := {"PERMISSIVE", "DISABLE"}

# effects[action][field] says what plaintext requests do to the rule, and
# under which modes that is a problem; a field missing for an action is not
# reported.
effects := {
	"ALLOW": {
		"principals": {"modes": weak, "text": "this ALLOW condition never matches them, so callers without a sidecar are denied even when listed"},
		"namespaces": {"modes": weak, "text": "this ALLOW condition never matches them, so callers without a sidecar are denied even when listed"},
		"notPrincipals": {"modes": weak, "text": "this negative condition matches every one of them, so the ALLOW rule admits plaintext callers it was meant to exclude"},
		"notNamespaces": {"modes": weak, "text": "this negative condition matches every one of them, so the ALLOW rule admits plaintext callers it was meant to exclude"},
	},
	"DENY": {
		"principals": {"modes": weak, "text": "this DENY condition never matches them, so a plaintext caller with a listed identity gets through"},
		"namespaces": {"modes": weak, "text": "this DENY condition never matches them, so a plaintext caller from a listed namespace gets through"},
		"notPrincipals": {"modes": {"DISABLE"}, "text": "with mTLS disabled every request is plaintext, so this negative condition matches all of them and the DENY rule rejects the listed callers too"},
		"notNamespaces": {"modes": {"DISABLE"}, "text": "with mTLS disabled every request is plaintext, so this negative condition matches all of them and the DENY rule rejects the listed callers too"},
	},
}

findings contains f if {
	some ap in input.resources.AuthorizationPolicy
	ap.authz.plaintextAny
	some field, effect in effects[ap.action]
	some c in ap.conditions[field]
	# Per mode, the index gives the smallest text and how many there are.
	found := [p | some p in ap.authz.rules[c.rule].plaintext; effect.modes[p.mode]]
	count(found) > 0
	first := min({p.first | some p in found})
	n := sum([p.count | some p in found])
	f := {
		"ref": ap.ref,
		"path": c.path,
		"message": sprintf(
			"%s needs the caller's mTLS identity, but %s%s; plaintext requests carry none: %s. Make mTLS STRICT for these workloads, or match on something plaintext carries (ipBlocks)",
			[field, first, more(n - 1), effect.text],
		),
	}
}

more(0) := ""

more(n) := sprintf(" (and %d more)", [n]) if n > 0
