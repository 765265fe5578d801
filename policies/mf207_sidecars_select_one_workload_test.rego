package meshfleet.rules.mf207_test

import data.meshfleet.rules.mf207

sc(ref, name, selected) := {
	"ref": ref, "apiVersion": "networking.istio.io/v1", "kind": "Sidecar",
	"namespace": "shop", "name": name, "selector": {"app": "cart"}, "selected": selected,
}

wl(ref, name) := {"ref": ref, "kind": "Deployment", "namespace": "shop", "name": name}

index := {"workloads": {10: wl(10, "cart"), 11: wl(11, "cart-v2"), 12: wl(12, "cart-v3")}, "classes": {}}

test_fires_on_each if {
	fs := mf207.findings with input as {"namespaces": ["shop"], "index": index, "resources": {"Sidecar": [
		sc(1, "cart", [10]), sc(2, "cart-v2", [10, 11]),
	]}}
	fs == {
		{"ref": 1, "path": "spec.workloadSelector.labels", "message": "selects Deployment shop/cart, which Sidecar cart-v2 also selects: a proxy gets one Sidecar and which one is undefined; make the workloadSelectors disjoint or merge the Sidecars"},
		{"ref": 2, "path": "spec.workloadSelector.labels", "message": "selects Deployment shop/cart, which Sidecar cart also selects: a proxy gets one Sidecar and which one is undefined; make the workloadSelectors disjoint or merge the Sidecars"},
	}
}

test_counts_shared_workloads if {
	idx := object.union(index, {"classes": {10: [10, 20, 21]}})
	fs := mf207.findings with input as {"namespaces": ["shop"], "index": idx, "resources": {"Sidecar": [
		sc(1, "a", [10, 11]), sc(2, "b", [10, 11]), sc(3, "c", [10]),
	]}}
	some f in fs
	f.ref == 1
	f.message == "selects Deployment shop/cart (and 3 more workloads), which Sidecars b, c also select: a proxy gets one Sidecar and which one is undefined; make the workloadSelectors disjoint or merge the Sidecars"
	count(fs) == 3
}

test_silent_on_disjoint_selections if {
	count(mf207.findings) == 0 with input as {"namespaces": ["shop"], "index": index, "resources": {"Sidecar": [
		sc(1, "cart", [10]), sc(2, "cart-v2", [11]), sc(3, "none", []),
	]}}
}

test_one_object_twice_is_one if {
	count(mf207.findings) == 0 with input as {"namespaces": ["shop"], "index": index, "resources": {"Sidecar": [
		sc(1, "cart", [10]), sc(2, "cart", [10]),
	]}}
}

test_the_later_copy_wins if {
	fs := mf207.findings with input as {"namespaces": ["shop"], "index": index, "resources": {"Sidecar": [
		sc(1, "a", [10]), sc(2, "b", [11]), sc(3, "b", [10]),
	]}}
	{f.ref | some f in fs} == {1, 3}
}

test_selector_less_sidecars_conflict_with_none if {
	bare := object.remove(sc(2, "default", []), ["selector", "selected"])
	count(mf207.findings) == 0 with input as {"namespaces": ["shop"], "index": index, "resources": {"Sidecar": [sc(1, "cart", [10]), bare]}}
}

test_silent_in_ambient_namespaces if {
	idx := object.union(index, {"namespaces": {"shop": {"labels": {"istio.io/dataplane-mode": "ambient"}}}})
	count(mf207.findings) == 0 with input as {"namespaces": ["shop"], "index": idx, "resources": {"Sidecar": [
		sc(1, "cart", [10]), sc(2, "cart-v2", [10]),
	]}}
}

# A shard holds several namespaces: Sidecars of one name in two namespaces
# are two Sidecars, each compared only within its own namespace.
web(s) := object.union(s, {"namespace": "web"})

test_namespaces_of_a_shard_are_apart if {
	idx := object.union(index, {"workloads": {20: object.union(wl(20, "front"), {"namespace": "web"})}})
	fs := mf207.findings with input as {"namespaces": ["shop", "web"], "index": idx, "resources": {"Sidecar": [
		sc(1, "cart", [10]), sc(2, "cart-v2", [11]),
		web(sc(3, "cart", [20])), web(sc(4, "edge", [20])),
	]}}
	fs == {
		{"ref": 3, "path": "spec.workloadSelector.labels", "message": "selects Deployment web/front, which Sidecar edge also selects: a proxy gets one Sidecar and which one is undefined; make the workloadSelectors disjoint or merge the Sidecars"},
		{"ref": 4, "path": "spec.workloadSelector.labels", "message": "selects Deployment web/front, which Sidecar cart also selects: a proxy gets one Sidecar and which one is undefined; make the workloadSelectors disjoint or merge the Sidecars"},
	}
}
