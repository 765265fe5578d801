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

run_complete(principals) := fs if {
	fs := mf608.findings with input as {
		"resources": {"AuthorizationPolicy": [ap(principals)]},
		"index": object.union(idx, {"complete": true, "rootNamespace": "istio-system"}),
	}
}

test_complete_fires_in_a_namespace_the_input_lacks if {
	run_complete(["cluster.local/ns/frontend/sa/frontend-sa", "cluster.local/ns/ghost/sa/default"]) == {
		{
			"ref": 1,
			"path": "spec.rules[0].from[0].source.principals[0]",
			"message": "principal \"cluster.local/ns/frontend/sa/frontend-sa\" names service account frontend-sa in namespace frontend, but the input, complete, holds no namespace frontend, so no caller carries that identity; fix the namespace or add it",
		},
		{
			"ref": 1,
			"path": "spec.rules[0].from[0].source.principals[1]",
			"message": "principal \"cluster.local/ns/ghost/sa/default\" names service account default in namespace ghost, but the input, complete, holds no namespace ghost, so no caller carries that identity; fix the namespace or add it",
		},
	}
}

test_complete_still_checks_held_namespaces_as_before if {
	count(run_complete(["cluster.local/ns/shop/sa/api-sa"])) == 1
	count(run_complete(["cluster.local/ns/shop/sa/api", "cluster.local/ns/shop/sa/default", "cluster.local/ns/data/sa/default"])) == 0
}

test_complete_silent_in_the_namespaces_every_cluster_has if {
	count(run_complete(["cluster.local/ns/kube-system/sa/x", "cluster.local/ns/istio-system/sa/istio-ingressgateway", "cluster.local/ns/ghost/sa/*"])) == 0
}
