package meshfleet.rules.mf601_test

import data.meshfleet.rules.mf601

# Per mode, the index gives the smallest text and how many there are.
permissive := {"mode": "PERMISSIVE", "first": "Deployment data/db accepts plaintext (PERMISSIVE, by PeerAuthentication data/default)", "count": 1}

disabled := {"mode": "DISABLE", "first": "Deployment data/db accepts plaintext (DISABLE, by PeerAuthentication data/default)", "count": 1}

ap(action, field, plaintext) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "data", "name": "db", "action": action,
	"conditions": {field: [{"rule": 0, "path": sprintf("spec.rules[0].from[0].source.%s", [field]), "values": ["x"]}]},
	"authz": {"rules": [{"plaintext": plaintext}], "plaintextAny": count(plaintext) > 0},
}

run(p) := fs if {
	fs := mf601.findings with input as {"resources": {"AuthorizationPolicy": [p]}}
}

test_fires_on_deny_namespaces_with_permissive if {
	run(ap("DENY", "namespaces", [permissive])) == {{
		"ref": 1,
		"path": "spec.rules[0].from[0].source.namespaces",
		"message": "namespaces needs the caller's mTLS identity, but Deployment data/db accepts plaintext (PERMISSIVE, by PeerAuthentication data/default); plaintext requests carry none: this DENY condition never matches them, so a plaintext caller from a listed namespace gets through. Make mTLS STRICT for these workloads, or match on something plaintext carries (ipBlocks)",
	}}
}

test_fires_on_allow_not_principals if {
	fs := run(ap("ALLOW", "notPrincipals", [disabled, permissive]))
	count(fs) == 1
	some f in fs
	contains(f.message, "admits plaintext callers")
	contains(f.message, "(and 1 more)")
}

test_fires_on_deny_not_namespaces_with_disable if {
	fs := run(ap("DENY", "notNamespaces", [disabled]))
	count(fs) == 1
	some f in fs
	contains(f.message, "rejects the listed callers too")
}

test_silent_for_deny_not_namespaces_with_permissive if {
	count(run(ap("DENY", "notNamespaces", [permissive]))) == 0
}

test_silent_when_nothing_accepts_plaintext if {
	count(run(ap("ALLOW", "principals", []))) == 0
}

test_silent_without_identity_fields if {
	count(run(ap("ALLOW", "ipBlocks", [permissive]))) == 0
}

test_silent_for_policies_the_index_has_no_facts_for if {
	p := object.remove(ap("DENY", "namespaces", [permissive]), ["authz"])
	count(run(p)) == 0
}
