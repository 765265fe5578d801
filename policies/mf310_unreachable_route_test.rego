package meshfleet.rules.mf310_test

import data.meshfleet.rules.mf310

vs(extra) := object.union({"ref": 3, "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "namespace": "shop", "name": "cart"}, extra)

test_after_a_route_without_match if {
	v := vs({"unreachableRoutes": [{"path": "spec.http[1]", "name": "", "reason": "catchAll", "by": "spec.http[0]", "byWhy": "has no match, so it takes every request first"}]})
	fs := mf310.findings with input as {"resources": {"VirtualService": [v]}}
	fs == {{
		"ref": 3,
		"path": "spec.http[1]",
		"message": "route spec.http[1] can never be reached: spec.http[0] has no match, so it takes every request first; move it before the catch-all route, or merge its settings into that route",
	}}
}

test_after_a_catch_all_match if {
	v := vs({"unreachableRoutes": [{"path": "spec.http[2]", "name": "canary", "reason": "catchAll", "by": "spec.http[1].match[0]", "byWhy": "matches every request, so its route takes them first"}]})
	fs := mf310.findings with input as {"resources": {"VirtualService": [v]}}
	some f in fs
	f.message == "route spec.http[2] (\"canary\") can never be reached: spec.http[1].match[0] matches every request, so its route takes them first; move it before the catch-all route, or merge its settings into that route"
}

test_every_match_covered if {
	v := vs({"unreachableRoutes": [{"path": "spec.tcp[1]", "name": "", "reason": "covered", "by": "spec.tcp[0].match[0]", "byWhy": ""}]})
	fs := mf310.findings with input as {"resources": {"VirtualService": [v]}}
	some f in fs
	f.path == "spec.tcp[1]"
	contains(f.message, "each of its matches repeats or is covered by an earlier one (the first by spec.tcp[0].match[0])")
}

test_silent_without_facts if {
	count(mf310.findings) == 0 with input as {"resources": {"VirtualService": [vs({})]}}
}
