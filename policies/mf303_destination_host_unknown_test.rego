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

complete_index := {"complete": true, "rootNamespace": "istio-system", "namespaces": {"shop": {"declared": true, "labels": {}}}}

test_complete_checks_every_namespace_and_external_hosts if {
	fs := mf303.findings with input as {"index": complete_index, "destinations": [
		dest({"checkable": false, "rawHost": "cart.ghost", "host": "cart.ghost.svc.cluster.local", "path": "spec.http[0].route[0].destination"}),
		dest({"checkable": false, "rawHost": "api.example.com", "host": "api.example.com", "path": "spec.http[0].route[1].destination"}),
	]}
	{f.path | some f in fs} == {"spec.http[0].route[0].destination.host", "spec.http[0].route[1].destination.host"}
}

test_complete_silent_in_namespaces_every_cluster_has if {
	count(mf303.findings) == 0 with input as {"index": complete_index, "destinations": [dest({"checkable": false, "rawHost": "istiod.istio-system", "host": "istiod.istio-system.svc.cluster.local"})]}
}

test_partial_silent_on_unknown_namespaces_and_external_hosts if {
	count(mf303.findings) == 0 with input as {"index": object.remove(complete_index, ["complete"]), "destinations": [
		dest({"checkable": false, "host": "cart.ghost.svc.cluster.local"}),
		dest({"checkable": false, "host": "api.example.com"}),
	]}
}

dr(extra) := object.union(
	{
		"ref": 6, "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
		"namespace": "shop", "name": "kart", "host": "kart.shop.svc.cluster.local", "provided": false,
	},
	extra,
)

test_complete_warns_on_a_destination_rule_host_nothing_provides if {
	fs := mf303.findings with input as {"index": complete_index, "resources": {"DestinationRule": [dr({})]}}
	fs == {{
		"ref": 6,
		"path": "spec.host",
		"severity": "warning",
		"message": "DestinationRule host kart.shop.svc.cluster.local matches no Service or ServiceEntry, so this DestinationRule applies to nothing; fix the host, or create the Service or a ServiceEntry for it",
	}}
}

test_destination_rule_hosts_silent_when_provided_short_elsewhere_partial_or_wildcard if {
	count(mf303.findings) == 0 with input as {"index": complete_index, "resources": {"DestinationRule": [
		dr({"provided": true}),
		dr({"shortHost": {"rawHost": "kart", "host": "kart.shop.svc.cluster.local", "elsewhere": ["kart.billing"]}}),
		object.remove(dr({"host": "*.shop.svc.cluster.local"}), ["provided"]),
		dr({"host": "istiod.istio-system.svc.cluster.local"}),
	]}}
	count(mf303.findings) == 0 with input as {"index": object.remove(complete_index, ["complete"]), "resources": {"DestinationRule": [dr({})]}}
}

test_says_the_host_is_not_exported_where_the_virtual_service_applies if {
	d := dest({"notExported": {"to": ["shop"], "by": "Service billing/kart"}})
	fs := mf303.findings with input as {"destinations": [d]}
	count(fs) == 1
	some f in fs
	f.path == "spec.http[0].route[0].destination.host"
	contains(f.message, "exists (Service billing/kart) but is not exported to namespace shop")
	not contains(f.message, "matches no Service")
}

test_names_every_namespace_a_virtual_service_is_exported_to if {
	d := dest({"notExported": {"to": ["a", "b"], "by": "ServiceEntry e/x"}})
	some f in mf303.findings with input as {"destinations": [d]}
	contains(f.message, "not exported to namespaces a, b,")
}

test_silent_on_a_hidden_host_it_cannot_check if {
	d := dest({"checkable": false, "notExported": {"to": ["shop"], "by": "ServiceEntry e/x"}})
	count(mf303.findings) == 0 with input as {"destinations": [d]}
}

test_names_a_provider_that_fails_its_schema if {
	some f in mf303.findings with input as {"destinations": [dest({"invalidProvider": "Service shop/kart"})]}
	endswith(f.message, "Service shop/kart declares it but fails its schema (MF101) and is rejected; fix it")
}

test_destination_rule_host_not_exported_where_it_applies if {
	dr := {"ref": 3, "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "namespace": "shop", "name": "pool", "host": "api.partner.example.com", "provided": false, "hiddenFrom": {"provider": "ServiceEntry egress/partner-apis", "scopes": ["shop"]}}
	fs := mf303.findings with input as {"namespace": "shop", "resources": {"DestinationRule": [dr]}, "destinations": [], "index": {"complete": true, "hosts": {}, "namespaces": {"shop": {}}}}
	count(fs) == 1
	some f in fs
	contains(f.message, "exists (ServiceEntry egress/partner-apis) but is not exported to namespace shop")
}
