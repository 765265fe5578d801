package meshfleet.rules.mf204_test

import data.meshfleet.rules.mf204

group(via) := {"ref": 1, "name": "cart", "via": via, "labels": {"app": "cart", "version": "v1"}, "serviceAccount": "cart"}

entry(labels, sa, via) := {
	"ref": 2, "apiVersion": "networking.istio.io/v1", "kind": "WorkloadEntry", "namespace": "shop", "name": "cart-vm-1",
	"object": {"spec": {"serviceAccount": sa}}, "group": group(via),
}

inp(we, labels) := {
	"resources": {"WorkloadEntry": [we]},
	"index": {"workloads": {2: {"ref": 2, "labels": labels, "labelsPath": "spec.labels"}}},
}

test_fires_on_missing_group_labels if {
	fs := mf204.findings with input as inp(entry({}, "cart", "annotation"), {"app": "cart"})
	fs == {{
		"ref": 2,
		"path": "spec.labels",
		"message": "lacks version=v1 of WorkloadGroup cart (its istio.io/autoRegistrationGroup): Services, subsets and policies selecting the group's labels miss this VM; copy the group's spec.metadata.labels",
	}}
}

test_fires_on_another_service_account if {
	fs := mf204.findings with input as inp(entry({}, "default", "annotation"), {"app": "cart", "version": "v1"})
	some f in fs
	f.path == "spec.serviceAccount"
	contains(f.message, "serviceAccount \"default\"")
	contains(f.message, "set serviceAccount: cart")
}

test_fires_on_another_service_account_of_a_label_fit if {
	fs := mf204.findings with input as inp(entry({}, "legacy", "labels"), {"app": "cart", "version": "v1"})
	count(fs) == 1
}

test_silent_when_entry_matches_group if {
	count(mf204.findings) == 0 with input as inp(entry({}, "cart", "annotation"), {"app": "cart", "version": "v1", "instance": "a"})
}

test_silent_on_label_fit_without_service_account if {
	count(mf204.findings) == 0 with input as inp(entry({}, "", "labels"), {"app": "cart", "version": "v1"})
}

test_silent_without_group if {
	we := object.remove(entry({}, "x", "annotation"), ["group"])
	count(mf204.findings) == 0 with input as inp(we, {})
}
