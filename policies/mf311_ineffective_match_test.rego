package meshfleet.rules.mf311_test

import data.meshfleet.rules.mf311

vs(extra) := object.union({"ref": 3, "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "namespace": "shop", "name": "cart"}, extra)

test_duplicate if {
	v := vs({"ineffectiveMatches": [{"path": "spec.http[1].match[0]", "by": "spec.http[0].match[0]", "how": "duplicate"}]})
	fs := mf311.findings with input as {"resources": {"VirtualService": [v]}}
	fs == {{
		"ref": 3,
		"path": "spec.http[1].match[0]",
		"message": "match spec.http[1].match[0] never applies: it repeats spec.http[0].match[0], so its requests go there; remove it or put the more specific match first",
	}}
}

test_prefix if {
	v := vs({"ineffectiveMatches": [{"path": "spec.http[1].match[0]", "by": "spec.http[0].match[0]", "how": "prefix", "prefix": "/api/v2", "byPrefix": "/api"}]})
	fs := mf311.findings with input as {"resources": {"VirtualService": [v]}}
	some f in fs
	contains(f.message, "uri prefix \"/api/v2\" is covered by the shorter prefix \"/api\" of spec.http[0].match[0], which asks for nothing else")
}

test_silent_without_facts if {
	count(mf311.findings) == 0 with input as {"resources": {"VirtualService": [vs({})]}}
}
