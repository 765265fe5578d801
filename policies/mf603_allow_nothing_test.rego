package meshfleet.rules.mf603_test

import data.meshfleet.rules.mf603

ap(action, count, spec_keys) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "shop", "name": "deny-all", "action": action, "ruleCount": count, "specKeys": spec_keys,
}

idx := {"rootNamespace": "istio-system"}

test_fires_on_an_empty_spec if {
	fs := mf603.findings with input as {"resources": {"AuthorizationPolicy": [ap("ALLOW", 0, [])]}, "index": idx}
	fs == {{
		"ref": 1,
		"path": "spec",
		"message": "this ALLOW policy has no rules, so it matches nothing and denies every request to every workload in shop that no other ALLOW policy admits; fine as a default-deny baseline, otherwise add rules listing what to allow",
	}}
}

test_fires_on_a_selector_and_empty_rules if {
	p := object.union(ap("ALLOW", 0, ["rules", "selector"]), {"selector": {"app": "a"}})
	fs := mf603.findings with input as {"resources": {"AuthorizationPolicy": [p]}, "index": idx}
	count(fs) == 1
	some f in fs
	f.path == "spec.rules"
	contains(f.message, "workloads app=a in shop")
}

test_fires_on_a_gateway if {
	p := ap("ALLOW", 0, ["targetRefs"])
	fs := mf603.findings with input as {"resources": {"AuthorizationPolicy": [p]}, "index": idx}
	some f in fs
	contains(f.message, "the targeted gateway or waypoint")
}

test_silent_for_deny if {
	inp := {"resources": {"AuthorizationPolicy": [ap("DENY", 0, ["action"])]}, "index": idx}
	count(mf603.findings) == 0 with input as inp
}

test_silent_with_rules if {
	inp := {"resources": {"AuthorizationPolicy": [ap("ALLOW", 1, ["rules"])]}, "index": idx}
	count(mf603.findings) == 0 with input as inp
}
