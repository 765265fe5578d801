package meshfleet.rules.mf302_test

import data.meshfleet.rules.mf302

host := "cart.shop.svc.cluster.local"

dest(subset) := {"ref": 4, "path": "spec.http[0].route[1].destination", "protocol": "http", "host": host, "subset": subset}

index(known) := {"hosts": {host: {"known": known, "subsets": {"v1": [2]}, "destinationRules": [2]}}}

test_fires_on_an_undefined_subset if {
	fs := mf302.findings with input as {"destinations": [dest("canary")], "index": index(true)}
	count(fs) == 1
	some f in fs
	f.ref == 4
	f.path == "spec.http[0].route[1].destination.subset"
	contains(f.message, "\"canary\"")
}

test_silent_on_a_defined_subset if {
	count(mf302.findings) == 0 with input as {"destinations": [dest("v1")], "index": index(true)}
}

test_silent_without_subset if {
	count(mf302.findings) == 0 with input as {"destinations": [dest("")], "index": index(true)}
}

test_silent_for_unknown_hosts if {
	count(mf302.findings) == 0 with input as {"destinations": [dest("canary")], "index": index(false)}
}

test_fires_without_rules_when_the_namespace_shows_its_apps if {
	d := object.union(dest("canary"), {"checkable": true})
	idx := {"hosts": {host: {"known": true, "subsets": {}, "destinationRules": []}}}
	count(mf302.findings) == 1 with input as {"destinations": [d], "index": idx}
}

test_silent_when_the_input_shows_neither_rules_nor_apps if {
	d := object.union(dest("canary"), {"checkable": false})
	idx := {"hosts": {host: {"known": true, "subsets": {}, "destinationRules": []}}}
	count(mf302.findings) == 0 with input as {"destinations": [d], "index": idx}
}

test_fires_on_a_subset_defined_only_by_rules_not_exported_here if {
	d := object.union(dest("v1"), {"subsetNotExported": {"to": "shop", "by": "DestinationRule ops/cart"}})
	fs := mf302.findings with input as {"destinations": [d], "index": index(true)}
	count(fs) == 1
	some f in fs
	f.path == "spec.http[0].route[1].destination.subset"
	contains(f.message, "defined only in DestinationRule ops/cart, which is not exported to namespace shop")
}

test_silent_on_a_hidden_subset_of_an_unknown_host if {
	d := object.union(dest("v1"), {"subsetNotExported": {"to": "shop", "by": "DestinationRule ops/cart"}})
	count(mf302.findings) == 0 with input as {"destinations": [d], "index": index(false)}
}
