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
#   when the input holds the root namespace, and pods opting out of sidecar
#   injection are not checked.
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

import data.meshfleet.lib

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
	lib.istio(ap)
	action := object.get(ap.object, ["spec", "action"], "ALLOW")
	some i, rule in object.get(ap.object, ["spec", "rules"], [])
	some j, from in object.get(rule, "from", [])
	some field, effect in effects[action]
	count(object.get(from, ["source", field], [])) > 0
	found := sort([describe(w, s) |
		some ref in object.get(ap, "appliesTo", [])
		w := input.index.workloads[ref]
		w.sidecar
		some s in settings(w, rule)
		effect.modes[s.mode]
		s.known
	])
	count(found) > 0
	f := {
		"ref": ap.ref,
		"path": sprintf("spec.rules[%d].from[%d].source.%s", [i, j, field]),
		"message": sprintf(
			"%s needs the caller's mTLS identity, but %s%s; plaintext requests carry none: %s. Make mTLS STRICT for these workloads, or match on something plaintext carries (ipBlocks)",
			[field, found[0], more(count(found) - 1), effect.text],
		),
	}
}

# rule_ports are the ports a rule is limited to: those of its operations,
# when every operation names some.
rule_ports(rule) := {sprintf("%v", [p]) | some to in rule.to; some p in to.operation.ports} if {
	count(object.get(rule, "to", [])) > 0
	every to in rule.to {
		count(object.get(to, ["operation", "ports"], [])) > 0
	}
}

# settings are the mTLS settings of w that apply to the rule's ports, or
# all of w's settings when the rule covers every port.
settings(w, rule) := {object.get(w.mtls.ports, p, w.mtls) | some p in ports} if ports := rule_ports(rule)

settings(w, rule) := {w.mtls} | {s | some _, s in w.mtls.ports} if not rule_ports(rule)

describe(w, s) := sprintf("%s %s/%s accepts plaintext (%s%s, by %s)", [w.kind, w.namespace, w.name, s.mode, port_of(s), s.by])

port_of(s) := sprintf(" on port %s", [regex.split(`\.`, s.path)[2]]) if s.level == "port"

port_of(s) := "" if s.level != "port"

more(0) := ""

more(n) := sprintf(" (and %d more)", [n]) if n > 0
