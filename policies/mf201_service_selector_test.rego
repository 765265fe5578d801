package meshfleet.rules.mf201_test

import data.meshfleet.rules.mf201

svc(extra) := object.union(
	{"ref": 0, "apiVersion": "v1", "kind": "Service", "namespace": "shop", "name": "cart"},
	extra,
)

index := {"workloadsByNamespace": {"shop": [1]}}

test_fires_when_selector_selects_nothing if {
	fs := mf201.findings with input as {"resources": {"Service": [svc({"selector": {"app": "kart"}, "selected": []})]}, "index": index}
	count(fs) == 1
	some f in fs
	f.ref == 0
	f.path == "spec.selector"
	contains(f.message, "app=kart")
	contains(f.message, "namespace shop")
}

test_silent_when_a_workload_is_selected if {
	count(mf201.findings) == 0 with input as {"resources": {"Service": [svc({"selector": {"app": "cart"}, "selected": [1]})]}}
}

test_silent_without_selector if {
	count(mf201.findings) == 0 with input as {"resources": {"Service": [svc({})]}}
}

test_silent_for_other_api_groups if {
	count(mf201.findings) == 0 with input as {"resources": {"Service": [svc({"apiVersion": "serving.knative.dev/v1", "selector": {"app": "x"}, "selected": []})]}}
}

test_silent_when_the_namespace_shows_no_workloads if {
	count(mf201.findings) == 0 with input as {"resources": {"Service": [svc({"selector": {"app": "kart"}, "selected": []})]}, "index": {"workloadsByNamespace": {}}}
}
