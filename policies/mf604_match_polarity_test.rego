package meshfleet.rules.mf604_test

import data.meshfleet.rules.mf604

ap(spec) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "shop", "name": "api", "object": {"spec": spec},
}

test_fires_on_deny_with_paths if {
	spec := {"action": "DENY", "rules": [{"to": [{"operation": {"paths": ["/admin"], "ports": ["8080"]}}]}]}
	fs := mf604.findings with input as {"resources": {"AuthorizationPolicy": [ap(spec)]}}
	fs == {{
		"ref": 1,
		"path": "spec.rules[0].to[0].operation.paths",
		"message": "DENY uses paths: DENY with a positive match lets through whatever escapes the list (another spelling, a normalised path, a new caller); Istio recommends DENY with negative matches, so a mismatch ends in a 403 rather than a bypass",
	}}
}

test_fires_on_allow_with_negative_source_and_condition if {
	spec := {"rules": [{"from": [{"source": {"notNamespaces": ["dev"]}}], "when": [{"key": "request.headers[x]", "notValues": ["a"]}]}]}
	fs := mf604.findings with input as {"resources": {"AuthorizationPolicy": [ap(spec)]}}
	{f.path | some f in fs} == {"spec.rules[0].from[0].source.notNamespaces", "spec.rules[0].when[0].notValues"}
}

test_silent_for_allow_positive_and_deny_negative if {
	allow := ap({"action": "ALLOW", "rules": [{"from": [{"source": {"principals": ["cluster.local/ns/a/sa/b"]}}], "to": [{"operation": {"paths": ["/api/*"], "ports": ["8080"]}}]}]})
	deny := object.union(ap({"action": "DENY", "rules": [{"from": [{"source": {"notNamespaces": ["a"]}}], "to": [{"operation": {"ports": ["9090"]}}]}]}), {"ref": 2})
	count(mf604.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [allow, deny]}}
}

test_silent_for_audit if {
	spec := {"action": "AUDIT", "rules": [{"to": [{"operation": {"paths": ["/admin"]}}]}]}
	count(mf604.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [ap(spec)]}}
}
