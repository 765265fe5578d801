package meshfleet.rules.mf303_test

import data.meshfleet.rules.mf303

dest(extra) := object.union(
	{
		"ref": 4, "path": "spec.http[0].route[0].destination", "protocol": "http",
		"rawHost": "kart", "host": "kart.shop.svc.cluster.local", "subset": "",
		"provided": false, "checkable": true,
	},
	extra,
)

test_fires_on_a_host_nothing_provides if {
	fs := mf303.findings with input as {"destinations": [dest({})]}
	fs == {{
		"ref": 4,
		"path": "spec.http[0].route[0].destination.host",
		"message": "destination host \"kart\" (kart.shop.svc.cluster.local) matches no Service or ServiceEntry: Envoy has no cluster for it and the route fails with 503; fix the host, or create the Service or a ServiceEntry for it",
	}}
}

test_suggests_the_service_of_another_namespace if {
	some f in mf303.findings with input as {"destinations": [dest({"elsewhere": ["kart.billing"]})]}
	endswith(f.message, "did you mean kart.billing?")
}

test_says_a_mirror_sends_nothing if {
	some f in mf303.findings with input as {"destinations": [dest({"path": "spec.http[0].mirror"})]}
	f.path == "spec.http[0].mirror.host"
	contains(f.message, "the mirror sends nothing")
}

test_silent_when_provided if {
	count(mf303.findings) == 0 with input as {"destinations": [dest({"provided": true})]}
}

test_silent_when_the_namespace_is_not_shown if {
	count(mf303.findings) == 0 with input as {"destinations": [dest({"checkable": false})]}
}

test_silent_for_wildcard_hosts if {
	d := object.remove(dest({"host": "*.example.com"}), ["provided", "checkable"])
	count(mf303.findings) == 0 with input as {"destinations": [d]}
}
