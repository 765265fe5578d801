package meshfleet.rules.mf307_test

import data.meshfleet.rules.mf307

dest(extra) := object.union(
	{
		"ref": 4, "path": "spec.http[0].route[0].destination", "protocol": "http",
		"rawHost": "cart", "host": "cart.shop.svc.cluster.local", "port": null,
		"hostPorts": [80, 9090], "gatewayBound": false,
	},
	extra,
)

test_fires_on_a_port_the_service_lacks if {
	fs := mf307.findings with input as {"destinations": [dest({"port": 8081})]}
	fs == {{
		"ref": 4,
		"path": "spec.http[0].route[0].destination.port.number",
		"message": "port 8081 is not a port of Service cart.shop.svc.cluster.local (ports 80, 9090): Envoy has no cluster for it and the route fails with 503; use one of the Service's ports",
	}}
}

test_warns_on_a_gateway_route_without_port if {
	fs := mf307.findings with input as {"destinations": [dest({"gatewayBound": true})]}
	some f in fs
	f.severity == "warning"
	f.path == "spec.http[0].route[0].destination"
}

test_silent_on_a_service_port if {
	count(mf307.findings) == 0 with input as {"destinations": [dest({"port": 9090})]}
}

test_silent_on_a_mesh_route_without_port if {
	count(mf307.findings) == 0 with input as {"destinations": [dest({})]}
}

test_silent_on_a_gateway_route_to_a_single_port_service if {
	count(mf307.findings) == 0 with input as {"destinations": [dest({"gatewayBound": true, "hostPorts": [80]})]}
}

test_silent_when_the_service_is_not_in_the_input if {
	d := object.remove(dest({"port": 8081, "gatewayBound": true}), ["hostPorts"])
	count(mf307.findings) == 0 with input as {"destinations": [d]}
}
