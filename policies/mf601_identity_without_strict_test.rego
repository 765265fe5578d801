package meshfleet.rules.mf601_test

import data.meshfleet.rules.mf601

ap(action, source, to) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "data", "name": "db", "appliesTo": [2],
	"object": {"spec": {"action": action, "rules": [object.union({"from": [{"source": source}]}, to)]}},
}

mtls(mode, ports) := {"mode": mode, "level": "namespace", "path": "spec.mtls.mode", "source": 9, "by": "PeerAuthentication data/default", "known": true, "ports": ports}

index(m) := {"workloads": {2: {"ref": 2, "kind": "Deployment", "namespace": "data", "name": "db", "sidecar": true, "mtls": m}}}

run(p, m) := fs if {
	fs := mf601.findings with input as {"resources": {"AuthorizationPolicy": [p]}, "index": index(m)}
}

test_fires_on_deny_namespaces_with_permissive if {
	run(ap("DENY", {"namespaces": ["sandbox"]}, {}), mtls("PERMISSIVE", {})) == {{
		"ref": 1,
		"path": "spec.rules[0].from[0].source.namespaces",
		"message": "namespaces needs the caller's mTLS identity, but Deployment data/db accepts plaintext (PERMISSIVE, by PeerAuthentication data/default); plaintext requests carry none: this DENY condition never matches them, so a plaintext caller from a listed namespace gets through. Make mTLS STRICT for these workloads, or match on something plaintext carries (ipBlocks)",
	}}
}

test_fires_on_allow_not_principals if {
	fs := run(ap("ALLOW", {"notPrincipals": ["x"]}, {}), mtls("DISABLE", {}))
	count(fs) == 1
	some f in fs
	contains(f.message, "admits plaintext callers")
}

test_fires_on_a_permissive_port_the_rule_names if {
	port := {"mode": "PERMISSIVE", "level": "port", "path": "spec.portLevelMtls.8080.mode", "source": 8, "by": "PeerAuthentication data/db", "known": true}
	fs := run(ap("ALLOW", {"principals": ["a/ns/b/sa/c"]}, {"to": [{"operation": {"ports": ["8080"]}}]}), mtls("STRICT", {"8080": port}))
	count(fs) == 1
	some f in fs
	contains(f.message, "(PERMISSIVE on port 8080, by PeerAuthentication data/db)")
}

test_silent_on_a_strict_port_the_rule_names if {
	port := {"mode": "PERMISSIVE", "level": "port", "path": "spec.portLevelMtls.8080.mode", "source": 8, "by": "x", "known": true}
	count(run(ap("ALLOW", {"principals": ["a/ns/b/sa/c"]}, {"to": [{"operation": {"ports": ["9090"]}}]}), mtls("STRICT", {"8080": port}))) == 0
}

test_silent_for_deny_not_namespaces if {
	count(run(ap("DENY", {"notNamespaces": ["a"]}, {}), mtls("PERMISSIVE", {}))) == 0
}

test_silent_when_strict if {
	count(run(ap("ALLOW", {"principals": ["a/ns/b/sa/c"]}, {}), mtls("STRICT", {}))) == 0
}

test_silent_when_the_default_is_not_proven if {
	m := object.union(mtls("PERMISSIVE", {}), {"level": "default", "known": false})
	count(run(ap("DENY", {"namespaces": ["a"]}, {}), m)) == 0
}

test_fires_on_deny_not_namespaces_with_disable if {
	fs := run(ap("DENY", {"notNamespaces": ["a"]}, {}), mtls("DISABLE", {}))
	count(fs) == 1
	some f in fs
	contains(f.message, "rejects the listed callers too")
}
