package meshfleet.rules.mf202_test

import data.meshfleet.rules.mf202

policy(kind, extra) := object.union(
	{
		"ref": 3, "apiVersion": "security.istio.io/v1", "kind": kind, "namespace": "shop", "name": "cart",
		"selector": {"app": "kart"}, "selected": [],
	},
	extra,
)

index := {"rootNamespace": "istio-system", "workloadsByNamespace": {"shop": [1]}}

test_fires_on_an_authorization_policy_selecting_nothing if {
	fs := mf202.findings with input as {"resources": {"AuthorizationPolicy": [policy("AuthorizationPolicy", {})]}, "index": index}
	fs == {{
		"ref": 3,
		"path": "spec.selector.matchLabels",
		"message": "selector app=kart matches no workload in namespace shop, so this AuthorizationPolicy applies to nothing; fix the labels or label the workload",
	}}
}

test_fires_on_a_sidecar_at_its_workload_selector if {
	sc := policy("Sidecar", {"apiVersion": "networking.istio.io/v1"})
	fs := mf202.findings with input as {"resources": {"Sidecar": [sc]}, "index": index}
	some f in fs
	f.path == "spec.workloadSelector.labels"
}

test_silent_when_a_workload_is_selected if {
	count(mf202.findings) == 0 with input as {"resources": {"PeerAuthentication": [policy("PeerAuthentication", {"selected": [1]})]}, "index": index}
}

test_silent_without_selector if {
	p := object.remove(policy("RequestAuthentication", {}), ["selector", "selected"])
	count(mf202.findings) == 0 with input as {"resources": {"RequestAuthentication": [p]}, "index": index}
}

test_silent_with_target_refs if {
	p := policy("AuthorizationPolicy", {"targetRefs": [{"kind": "Gateway", "name": "gw"}]})
	count(mf202.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [p]}, "index": index}
}

test_silent_when_the_namespace_shows_no_workloads if {
	count(mf202.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [policy("AuthorizationPolicy", {})]}, "index": {"rootNamespace": "istio-system", "workloadsByNamespace": {}}}
}

test_silent_for_root_namespace_authorization_policies if {
	p := policy("AuthorizationPolicy", {"namespace": "istio-system"})
	idx := {"rootNamespace": "istio-system", "workloadsByNamespace": {"istio-system": [1]}}
	count(mf202.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [p]}, "index": idx}
}

test_silent_for_root_namespace_peer_authentications if {
	p := policy("PeerAuthentication", {"namespace": "istio-system"})
	idx := {"rootNamespace": "istio-system", "workloadsByNamespace": {"istio-system": [1]}}
	count(mf202.findings) == 0 with input as {"resources": {"PeerAuthentication": [p]}, "index": idx}
}

test_fires_on_a_root_namespace_telemetry_selector if {
	p := policy("Telemetry", {"apiVersion": "telemetry.istio.io/v1", "namespace": "istio-system", "selected": [1]})
	fs := mf202.findings with input as {"resources": {"Telemetry": [p]}, "index": index}
	some f in fs
	f.path == "spec.selector"
	contains(f.message, "ignores")
}

complete_index := object.union(index, {"complete": true, "namespaces": {"shop": {"declared": true, "labels": {}}}})

test_complete_fires_when_the_namespace_shows_no_workloads if {
	fs := mf202.findings with input as {"resources": {"AuthorizationPolicy": [policy("AuthorizationPolicy", {})]}, "index": object.union(complete_index, {"workloadsByNamespace": {}})}
	count(fs) == 1
}

test_complete_fires_on_a_root_authorization_policy_selecting_nothing_anywhere if {
	p := policy("AuthorizationPolicy", {"namespace": "istio-system"})
	fs := mf202.findings with input as {"resources": {"AuthorizationPolicy": [p]}, "index": complete_index}
	fs == {{
		"ref": 3,
		"path": "spec.selector.matchLabels",
		"message": "selector app=kart in the root namespace istio-system applies in every namespace, but matches no workload in any namespace of the input, so this AuthorizationPolicy applies to nothing; fix the labels or label the workload",
	}}
}

test_complete_silent_on_a_root_authorization_policy_selecting_some_workload if {
	p := policy("AuthorizationPolicy", {"namespace": "istio-system", "selected": [9]})
	count(mf202.findings) == 0 with input as {"resources": {"AuthorizationPolicy": [p]}, "index": complete_index}
}

test_complete_leaves_root_request_authentications_and_targeted_policies_alone if {
	ra := policy("RequestAuthentication", {"namespace": "istio-system"})
	ap := policy("AuthorizationPolicy", {"namespace": "istio-system", "targetRefs": [{"kind": "Gateway", "name": "gw"}]})
	count(mf202.findings) == 0 with input as {"resources": {"RequestAuthentication": [ra], "AuthorizationPolicy": [ap]}, "index": complete_index}
}
