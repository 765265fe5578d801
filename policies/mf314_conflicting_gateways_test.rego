package meshfleet.rules.mf314_test

import data.meshfleet.rules.mf314

gw(extra) := object.union({"ref": 1, "apiVersion": "networking.istio.io/v1", "kind": "Gateway", "namespace": "shop", "name": "shop"}, extra)

test_fires if {
	g := gw({"conflictingServers": [{"index": 0, "port": 443, "selector": "istio=ingressgateway", "host": "shop.example.com", "others": ["legacy/shop-legacy"], "more": false}]})
	fs := mf314.findings with input as {"resources": {"Gateway": [g]}}
	fs == {{
		"ref": 1,
		"path": "spec.servers[0]",
		"message": "host shop.example.com on port 443 is also declared by Gateway legacy/shop-legacy for the gateway pods this Gateway selects (selector istio=ingressgateway): istiod serves only one of these servers for the host, so which Gateway's settings and routes apply is undefined; declare the host in one Gateway",
	}}
}

test_many if {
	g := gw({"conflictingServers": [{"index": 1, "port": 80, "selector": "", "host": "a", "others": ["x/a", "x/b", "x/c"], "more": true}]})
	some f in mf314.findings with input as {"resources": {"Gateway": [g]}}
	contains(f.message, "declared by Gateways x/a, x/b, x/c and more for the gateway pods this Gateway selects (no selector)")
}

test_silent_without_facts if {
	count(mf314.findings) == 0 with input as {"resources": {"Gateway": [gw({})]}}
}
