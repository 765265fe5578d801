package meshfleet.lib_test

import data.meshfleet.lib

test_selects_subset_of_labels if lib.selects({"app": "cart"}, {"app": "cart", "version": "v1"})

test_selects_needs_every_label if not lib.selects({"app": "cart", "version": "v2"}, {"app": "cart", "version": "v1"})

test_format_labels_sorts if lib.format_labels({"version": "v2", "app": "cart"}) == "app=cart,version=v2"

partial_idx := {
	"rootNamespace": "istio-system",
	"namespaces": {"shop": {"declared": true, "labels": {}}, "empty": {"declared": true, "labels": {}}},
	"workloadsByNamespace": {"shop": [1]},
}

complete_idx := object.union(partial_idx, {"complete": true})

test_complete_reads_the_one_fact if {
	lib.complete with input as {"index": complete_idx}
	not lib.complete with input as {"index": partial_idx}
	not lib.complete with input as {"index": object.union(partial_idx, {"complete": false})}
}

test_known_namespace_partial_is_what_the_input_holds if {
	lib.known_namespace("shop") with input as {"index": partial_idx}
	lib.known_namespace("empty") with input as {"index": partial_idx}
	not lib.known_namespace("ghost") with input as {"index": partial_idx}
	not lib.known_namespace("kube-system") with input as {"index": partial_idx}
}

test_known_namespace_complete_knows_every_namespace_but_the_clusters_own if {
	lib.known_namespace("shop") with input as {"index": complete_idx}
	lib.known_namespace("ghost") with input as {"index": complete_idx}
	not lib.known_namespace("kube-system") with input as {"index": complete_idx}
	not lib.known_namespace("istio-system") with input as {"index": complete_idx}
	not lib.known_namespace("default") with input as {"index": complete_idx}
}

test_namespace_exists if {
	lib.namespace_exists("shop") with input as {"index": partial_idx}
	lib.namespace_exists("kube-system") with input as {"index": partial_idx}
	lib.namespace_exists("istio-system") with input as {"index": partial_idx}
	not lib.namespace_exists("ghost") with input as {"index": complete_idx}
}

test_workloads_known if {
	lib.workloads_known("shop") with input as {"index": partial_idx}
	not lib.workloads_known("empty") with input as {"index": partial_idx}
	lib.workloads_known("empty") with input as {"index": complete_idx}
}

test_checkable_destination if {
	lib.checkable({"checkable": true, "host": "cart.shop.svc.cluster.local"}) with input as {"index": partial_idx}
	not lib.checkable({"checkable": false, "host": "cart.ghost.svc.cluster.local"}) with input as {"index": partial_idx}
	not lib.checkable({"checkable": false, "host": "api.example.com"}) with input as {"index": partial_idx}
	lib.checkable({"checkable": false, "host": "cart.ghost.svc.cluster.local"}) with input as {"index": complete_idx}
	lib.checkable({"checkable": false, "host": "api.example.com"}) with input as {"index": complete_idx}
	not lib.checkable({"checkable": false, "host": "istiod.istio-system.svc.cluster.local"}) with input as {"index": complete_idx}
}

test_host_namespace if {
	lib.host_namespace("cart.shop.svc.cluster.local") == "shop"
	not lib.host_namespace("api.example.com")
}

test_export_scope if {
	lib.export_scope(["shop"]) == "namespace shop"
	lib.export_scope(["a", "b"]) == "namespaces a, b"
	lib.export_scope(["*", "a"]) == "every namespace"
}
