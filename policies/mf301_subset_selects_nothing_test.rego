package meshfleet.rules.mf301_test

import data.meshfleet.rules.mf301

host := "cart.shop.svc.cluster.local"

dr := {
	"ref": 2, "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
	"namespace": "shop", "name": "cart", "host": host,
	"subsets": [
		{"index": 0, "name": "stable", "labels": {"version": "v1"}, "matchLabels": {"version": "v1"}},
		{"index": 1, "name": "next", "labels": {"version": "v2"}, "matchLabels": {"version": "v2"}},
		{"index": 2, "name": "west", "labels": {"topology.istio.io/network": "west"}, "matchLabels": {}},
	],
}

index(backends, complete) := {"hosts": {host: {"known": true, "backends": backends, "backendsComplete": complete}}}

# dr_with(selects) is dr with each subset's selectsBackend as the index
# computes it against the backends of the test.
dr_with(selects) := object.union(dr, {"subsets": [object.union(s, {"selectsBackend": selects[i]}) | some i, s in dr.subsets]})

pods := [{"ref": 1, "labels": {"app": "cart", "version": "v1"}}]

test_fires_on_the_subset_no_backend_matches if {
	fs := mf301.findings with input as {"resources": {"DestinationRule": [dr_with([true, false, false])]}, "index": index(pods, true)}
	fs == {{
		"ref": 2,
		"path": "spec.subsets[1].labels",
		"message": "subset \"next\" selects version=v2, but no workload behind cart.shop.svc.cluster.local has those labels; no route of the input uses it yet",
		"severity": "warning",
	}}
}

# routed: some route of the input sends traffic to the subset (the index
# marks it), so the 503s are real: an error.
test_an_error_when_a_route_uses_the_subset if {
	routed := object.union(dr, {"subsets": [{"index": 1, "name": "next", "labels": {"version": "v2"}, "matchLabels": {"version": "v2"}, "selectsBackend": false, "routed": true}]})
	fs := mf301.findings with input as {"resources": {"DestinationRule": [routed]}, "index": index(pods, true)}
	fs == {{
		"ref": 2,
		"path": "spec.subsets[1].labels",
		"message": "subset \"next\" selects version=v2, but no workload behind cart.shop.svc.cluster.local has those labels; routes sending traffic to it get 503 no healthy upstream",
		"severity": "error",
	}}
}

test_silent_when_backends_are_not_all_known if {
	count(mf301.findings) == 0 with input as {"resources": {"DestinationRule": [dr_with([true, false, false])]}, "index": index(pods, false)}
}

test_silent_when_nothing_is_behind_the_host if {
	count(mf301.findings) == 0 with input as {"resources": {"DestinationRule": [dr_with([false, false, false])]}, "index": index([], true)}
}

test_silent_for_unknown_hosts if {
	count(mf301.findings) == 0 with input as {"resources": {"DestinationRule": [dr_with([false, false, false])]}, "index": {"hosts": {}}}
}

test_silent_when_every_subset_matches if {
	both := array.concat(pods, [{"ref": 3, "labels": {"app": "cart", "version": "v2"}}])
	count(mf301.findings) == 0 with input as {"resources": {"DestinationRule": [dr_with([true, true, false])]}, "index": index(both, true)}
}

test_names_the_label_no_workload_carries if {
	# absent: the labels no backend carries, as the index finds them.
	vm := object.union(dr, {"subsets": [{"index": 0, "name": "vm", "labels": {"version": "v1", "runtime": "vm"}, "matchLabels": {"version": "v1", "runtime": "vm"}, "selectsBackend": false, "absent": {"runtime": "vm"}}]})
	some f in mf301.findings with input as {"resources": {"DestinationRule": [vm]}, "index": index(pods, true)}
	contains(f.message, "has those labels; none has runtime=vm;")
}

complete_index(backends, complete) := object.union(index(backends, complete), {"complete": true})

test_complete_fires_when_nothing_is_behind_the_host if {
	fs := mf301.findings with input as {"resources": {"DestinationRule": [dr_with([false, false, false])]}, "index": complete_index([], true)}
	{f.path | some f in fs} == {"spec.subsets[0].labels", "spec.subsets[1].labels"}
}

test_complete_silent_when_backends_are_not_all_known if {
	count(mf301.findings) == 0 with input as {"resources": {"DestinationRule": [dr_with([false, false, false])]}, "index": complete_index([], false)}
}
