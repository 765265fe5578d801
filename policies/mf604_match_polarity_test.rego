package meshfleet.rules.mf604_test

import data.meshfleet.rules.mf604

ap(action, conditions) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "shop", "name": "api", "action": action, "conditions": conditions,
}

cond(path) := [{"rule": 0, "path": path, "values": ["x"]}]

test_fires_on_deny_with_paths if {
	conditions := {"paths": cond("spec.rules[0].to[0].operation.paths"), "ports": cond("spec.rules[0].to[0].operation.ports")}
	fs := mf604.findings with input as {"resources": {"AuthorizationPolicy": [ap("DENY", conditions)]}}
	fs == {{
		"ref": 1,
		"path": "spec.rules[0].to[0].operation.paths",
		"message": "DENY uses paths: DENY with a positive match lets through whatever escapes the list (another spelling, a normalised path, a new caller); Istio recommends DENY with negative matches, so a mismatch ends in a 403 rather than a bypass",
	}}
}

test_fires_on_allow_with_negative_source_and_condition if {
	conditions := {"notNamespaces": cond("spec.rules[0].from[0].source.notNamespaces"), "notValues": cond("spec.rules[0].when[0].notValues")}
	fs := mf604.findings with input as {"resources": {"AuthorizationPolicy": [ap("ALLOW", conditions)]}}
	{f.path | some f in fs} == {"spec.rules[0].from[0].source.notNamespaces", "spec.rules[0].when[0].notValues"}
}

test_silent_for_allow_positive_and_deny_negative if {
	allow := ap("ALLOW", {"principals": cond("a"), "paths": cond("b"), "ports": cond("c")})
	deny := object.union(ap("DENY", {"notNamespaces": cond("d"), "ports": cond("e")}), {"ref": 2})
	count(mf604.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [allow, deny]}}
}

test_silent_for_audit if {
	count(mf604.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [ap("AUDIT", {"paths": cond("a")})]}}
}
