package meshfleet.rules.mf205_test

import data.meshfleet.rules.mf205

inp(same) := {
	"namespaces": ["shop"],
	"index": {
		"workloadsByNamespace": {"shop": [2]},
		"workloads": {2: object.union({"ref": 2, "kind": "WorkloadEntry", "name": "cart-10.0.0.5"}, same)},
	},
}

test_fires_on_the_later_entry if {
	fs := mf205.findings with input as inp({"sameAddress": {"ref": 1, "namespace": "shop", "name": "cart-vm-1", "address": "10.0.0.5", "network": "vm-net"}})
	fs == {{
		"ref": 2,
		"path": "spec.address",
		"message": "address 10.0.0.5 on network \"vm-net\" is also WorkloadEntry shop/cart-vm-1's: one VM registered twice splits its traffic and identity; keep one entry per VM",
	}}
}

test_names_the_default_network if {
	some f in mf205.findings with input as inp({"sameAddress": {"ref": 1, "namespace": "shop", "name": "cart-vm-1", "address": "10.0.0.5", "network": ""}})
	contains(f.message, "on the default network")
}

test_silent_without_a_duplicate if {
	count(mf205.findings) == 0 with input as inp({})
}
