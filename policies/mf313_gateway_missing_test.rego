package meshfleet.rules.mf313_test

import data.meshfleet.rules.mf313

vs := {"ref": 5, "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "namespace": "shop", "name": "cart", "gatewaysMissing": [{"index": 0, "gateway": "shop/shop-gateway", "namespace": "shop"}]}

index(complete) := {"complete": complete, "rootNamespace": "istio-system", "namespaces": {"shop": {"declared": true, "labels": {}}}}

test_fires_when_complete if {
	fs := mf313.findings with input as {"resources": {"VirtualService": [vs]}, "index": index(true)}
	fs == {{
		"ref": 5,
		"path": "spec.gateways[0]",
		"message": "Gateway shop/shop-gateway does not exist (the input is complete and holds no Gateway of that name), so no gateway applies these routes; fix the reference or add the Gateway",
	}}
}

test_silent_on_partial_input if {
	count(mf313.findings) == 0 with input as {"resources": {"VirtualService": [vs]}, "index": index(false)}
}

test_silent_for_the_root_namespace if {
	v := object.union(vs, {"gatewaysMissing": [{"index": 0, "gateway": "istio-system/ingress", "namespace": "istio-system"}]})
	count(mf313.findings) == 0 with input as {"resources": {"VirtualService": [v]}, "index": index(true)}
}
