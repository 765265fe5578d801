package meshfleet.rules.mf309_test

import data.meshfleet.rules.mf309

d(extra) := object.union(
	{"ref": 4, "path": "spec.http[0].route[0].destination", "host": "cart.shop.svc.cluster.local", "subset": "", "gatewayBound": true},
	extra,
)

split := {"ref": 7, "namespace": "shop", "name": "cart", "subset": "v1", "path": "spec.http[0].route[0].destination"}

test_fires if {
	fs := mf309.findings with input as {"destinations": [d({"meshSplit": split})]}
	fs == {{
		"ref": 4,
		"path": "spec.http[0].route[0].destination",
		"message": "routes gateway traffic to cart.shop.svc.cluster.local with no subset, while VirtualService shop/cart splits mesh traffic to it by subset (\"v1\" at spec.http[0].route[0].destination): the gateway does not apply that split, so ingress requests reach every version; route to the subsets here too",
	}}
}

test_silent_without_a_mesh_split if {
	count(mf309.findings) == 0 with input as {"destinations": [d({})]}
}
