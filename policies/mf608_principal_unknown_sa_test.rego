package meshfleet.rules.mf608_test

import data.meshfleet.rules.mf608

ap(principals) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "data", "name": "db",
	"conditions": {"principals": [{"rule": 0, "path": "spec.rules[0].from[0].source.principals", "values": principals}]},
}

idx := {
	"namespaces": {"shop": {"declared": true, "labels": {}}, "data": {"declared": false, "labels": {}}},
	"serviceAccounts": {"shop": {"api": 7}},
	"workloadsByNamespace": {"shop": [3]},
	"workloads": {3: {"ref": 3, "kind": "Deployment", "namespace": "shop", "name": "web", "serviceAccount": "web-sa"}},
	"workloadServiceAccounts": {"shop": {"web-sa": true}},
}

run(principals) := fs if {
	fs := mf608.findings with input as {"resources": {"AuthorizationPolicy": [ap(principals)]}, "index": idx}
}

test_fires_on_an_unknown_service_account if {
	run(["cluster.local/ns/shop/sa/api-sa"]) == {{
		"ref": 1,
		"path": "spec.rules[0].from[0].source.principals[0]",
		"message": "principal \"cluster.local/ns/shop/sa/api-sa\" names service account api-sa in namespace shop, but shop has no ServiceAccount api-sa and no workload running as it (it has api, web-sa), so no caller carries that identity; fix the name or add the ServiceAccount",
	}}
}

test_fires_with_another_trust_domain if {
	count(run(["corp.example/ns/shop/sa/nope"])) == 1
}

test_silent_for_declared_or_used_accounts if {
	count(run(["cluster.local/ns/shop/sa/api", "cluster.local/ns/shop/sa/web-sa", "cluster.local/ns/shop/sa/default"])) == 0
}

test_silent_for_unknown_namespaces_and_wildcards if {
	count(run(["cluster.local/ns/frontend/sa/frontend-sa", "cluster.local/ns/shop/sa/*", "*/ns/shop/sa/x", "spiffe-like-other"])) == 0
}
