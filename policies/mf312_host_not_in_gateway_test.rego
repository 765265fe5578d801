package meshfleet.rules.mf312_test

import data.meshfleet.rules.mf312

vs(extra) := object.union({"ref": 5, "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "namespace": "shop", "name": "cart"}, extra)

test_fires if {
	v := vs({"gatewayHostMismatch": [{"index": 1, "gateway": "istio-ingress/public", "hosts": ["cart.example.org"], "gatewayHosts": ["*.example.com"], "more": 0}]})
	fs := mf312.findings with input as {"resources": {"VirtualService": [v]}}
	fs == {{
		"ref": 5,
		"path": "spec.gateways[1]",
		"message": "Gateway istio-ingress/public serves none of this VirtualService's hosts (cart.example.org) to namespace shop (it offers *.example.com), so the gateway never applies these routes; add the host to the Gateway's servers or bind the VirtualService to the Gateway that serves it",
	}}
}

test_nothing_offered if {
	v := vs({"gatewayHostMismatch": [{"index": 0, "gateway": "web/gw", "hosts": ["a"], "gatewayHosts": [], "more": 0}]})
	some f in mf312.findings with input as {"resources": {"VirtualService": [v]}}
	contains(f.message, "(it offers no host there)")
}

test_more if {
	v := vs({"gatewayHostMismatch": [{"index": 0, "gateway": "web/gw", "hosts": ["a"], "gatewayHosts": ["b", "c", "d"], "more": 2}]})
	some f in mf312.findings with input as {"resources": {"VirtualService": [v]}}
	contains(f.message, "(it offers b, c, d and 2 more)")
}

test_silent_without_facts if {
	count(mf312.findings) == 0 with input as {"resources": {"VirtualService": [vs({})]}}
}
