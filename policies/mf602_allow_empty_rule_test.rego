package meshfleet.rules.mf602_test

import data.meshfleet.rules.mf602

ap(spec) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "shop", "name": "api", "selector": {"app": "api"}, "object": {"spec": spec},
}

idx := {"rootNamespace": "istio-system"}

test_fires_on_an_empty_rule if {
	spec := {"action": "ALLOW", "rules": [{"from": [{"source": {"namespaces": ["a"]}}]}, {}]}
	fs := mf602.findings with input as {"resources": {"AuthorizationPolicy": [ap(spec)]}, "index": idx}
	fs == {{
		"ref": 1,
		"path": "spec.rules[1]",
		"message": "rule 1 has no from, to or when, so it matches every request: this ALLOW policy admits all traffic to workloads app=api in shop, and no other ALLOW policy there restricts anything; list the sources and operations to allow, or remove the rule if the policy is meant to deny all",
	}}
}

test_fires_without_action_and_with_empty_lists if {
	fs := mf602.findings with input as {"resources": {"AuthorizationPolicy": [ap({"rules": [{"from": [], "to": []}]})]}, "index": idx}
	count(fs) == 1
}

test_silent_for_deny if {
	inp := {"resources": {"AuthorizationPolicy": [ap({"action": "DENY", "rules": [{}]})]}, "index": idx}
	count(mf602.findings) == 0 with input as inp
}

test_silent_without_rules if {
	count(mf602.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [ap({})]}, "index": idx}
}

test_silent_for_rules_with_conditions if {
	spec := {"rules": [{"when": [{"key": "source.ip", "values": ["10.0.0.1"]}]}]}
	count(mf602.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [ap(spec)]}, "index": idx}
}
