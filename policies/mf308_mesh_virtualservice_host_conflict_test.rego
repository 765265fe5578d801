package meshfleet.rules.mf308_test

import data.meshfleet.rules.mf308

vs(extra) := object.union({"ref": 2, "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "namespace": "shop", "name": "cart"}, extra)

test_fires if {
	v := vs({"meshHostConflicts": [{"index": 0, "host": "cart.shop.svc.cluster.local", "others": ["shop/cart-retries"], "count": 1}]})
	fs := mf308.findings with input as {"resources": {"VirtualService": [v]}}
	fs == {{
		"ref": 2,
		"path": "spec.hosts[0]",
		"message": "VirtualService shop/cart-retries also binds cart.shop.svc.cluster.local to the mesh where this one is visible: sidecars apply only one of them, which one is undefined; merge them into one VirtualService per host",
	}}
}

test_counts_the_rest if {
	v := vs({"meshHostConflicts": [{"index": 1, "host": "h", "others": ["a/a", "b/b", "c/c"], "count": 5}]})
	fs := mf308.findings with input as {"resources": {"VirtualService": [v]}}
	some f in fs
	startswith(f.message, "VirtualServices a/a, b/b, c/c and 2 more also bind h ")
}

test_silent_without_conflicts if {
	count(mf308.findings) == 0 with input as {"resources": {"VirtualService": [vs({})]}}
}
