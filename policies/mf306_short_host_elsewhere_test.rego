package meshfleet.rules.mf306_test

import data.meshfleet.rules.mf306

short := {"rawHost": "cart", "host": "cart.frontend.svc.cluster.local", "elsewhere": ["cart.shop"]}

msg := "short host \"cart\" resolves to cart.frontend.svc.cluster.local, where no Service or ServiceEntry provides it; did you mean cart.shop?"

test_fires_on_a_destination_rule_host if {
	dr := {"ref": 5, "kind": "DestinationRule", "shortHost": short}
	fs := mf306.findings with input as {"resources": {"DestinationRule": [dr]}}
	fs == {{"ref": 5, "path": "spec.host", "message": msg}}
}

test_fires_on_a_virtual_service_host if {
	vs := {"ref": 6, "shortHosts": [object.union(short, {"path": "spec.hosts[0]"})]}
	fs := mf306.findings with input as {"namespaces": ["frontend"], "index": {"virtualServices": {"frontend": [vs]}}}
	fs == {{"ref": 6, "path": "spec.hosts[0]", "message": msg}}
}

test_fires_on_a_destination_mf303_leaves_alone if {
	d := object.union(short, {"ref": 6, "path": "spec.http[0].route[0].destination", "provided": false, "checkable": false})
	fs := mf306.findings with input as {"destinations": [d]}
	some f in fs
	f.path == "spec.http[0].route[0].destination.host"
}

test_silent_on_a_destination_mf303_reports if {
	d := object.union(short, {"ref": 6, "path": "spec.http[0].route[0].destination", "provided": false, "checkable": true})
	count(mf306.findings) == 0 with input as {"destinations": [d]}
}

test_silent_without_a_service_elsewhere if {
	d := {"ref": 6, "path": "spec.http[0].route[0].destination", "rawHost": "cart", "host": "cart.frontend.svc.cluster.local", "provided": false, "checkable": false}
	count(mf306.findings) == 0 with input as {"destinations": [d], "resources": {"DestinationRule": [{"ref": 5}]}, "namespaces": ["frontend"], "index": {"virtualServices": {"frontend": [{"ref": 6, "shortHosts": []}]}}}
}

test_complete_leaves_every_destination_to_mf303 if {
	d := object.union(short, {"ref": 6, "path": "spec.http[0].route[0].destination", "provided": false, "checkable": false})
	count(mf306.findings) == 0 with input as {"destinations": [d], "index": {"complete": true, "rootNamespace": "istio-system", "namespaces": {}}}
}

test_complete_still_reports_destination_rule_hosts if {
	dr := {"ref": 5, "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "namespace": "frontend", "name": "cart", "shortHost": short}
	fs := mf306.findings with input as {"resources": {"DestinationRule": [dr]}, "index": {"complete": true, "rootNamespace": "istio-system", "namespaces": {}}}
	{f.path | some f in fs} == {"spec.host"}
}
