package meshfleet.rules.mf602_test

import data.meshfleet.rules.mf602

ap(action, empty) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "shop", "name": "api", "selector": {"app": "api"}, "action": action, "emptyRules": empty,
}

idx := {"rootNamespace": "istio-system"}

test_fires_on_an_empty_rule if {
	fs := mf602.findings with input as {"resources": {"AuthorizationPolicy": [ap("ALLOW", [1])]}, "index": idx}
	fs == {{
		"ref": 1,
		"path": "spec.rules[1]",
		"message": "rule 1 has no from, to or when, so it matches every request: this ALLOW policy admits all traffic to workloads app=api in shop, and no other ALLOW policy there restricts anything; list the sources and operations to allow, or remove the rule if the policy is meant to deny all",
	}}
}

test_fires_mesh_wide if {
	p := object.union(object.remove(ap("ALLOW", [0]), ["selector"]), {"namespace": "istio-system"})
	fs := mf602.findings with input as {"resources": {"AuthorizationPolicy": [p]}, "index": idx}
	some f in fs
	contains(f.message, "every workload in the mesh")
}

test_silent_for_deny if {
	count(mf602.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [ap("DENY", [0])]}, "index": idx}
}

test_silent_without_empty_rules if {
	count(mf602.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [ap("ALLOW", [])]}, "index": idx}
}
