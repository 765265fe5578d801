package meshfleet.rules.mf204_test

import data.meshfleet.rules.mf204

group(via) := {"ref": 1, "name": "cart", "via": via, "labels": {"app": "cart", "version": "v1"}, "serviceAccount": "cart"}

inp(labels, sa, via) := {
	"namespaces": ["shop"],
	"index": {
		"workloadsByNamespace": {"shop": [1, 2]},
		"workloads": {
			1: {"ref": 1, "kind": "WorkloadGroup", "labels": {"app": "cart", "version": "v1"}, "serviceAccount": "cart"},
			2: {
				"ref": 2, "kind": "WorkloadEntry", "name": "cart-vm-1", "labels": labels,
				"serviceAccount": sa, "labelsPath": "spec.labels", "group": group(via),
			},
		},
	},
}

test_fires_on_missing_group_labels if {
	fs := mf204.findings with input as inp({"app": "cart"}, "cart", "annotation")
	fs == {{
		"ref": 2,
		"path": "spec.labels",
		"message": "lacks version=v1 of WorkloadGroup cart (its istio.io/autoRegistrationGroup): Services, subsets and policies selecting the group's labels miss this VM; copy the group's spec.metadata.labels",
	}}
}

test_fires_on_another_service_account if {
	fs := mf204.findings with input as inp({"app": "cart", "version": "v1"}, "default", "annotation")
	some f in fs
	f.path == "spec.serviceAccount"
	contains(f.message, "serviceAccount \"default\"")
	contains(f.message, "set serviceAccount: cart")
}

test_fires_on_another_service_account_of_a_label_fit if {
	fs := mf204.findings with input as inp({"app": "cart", "version": "v1"}, "legacy", "labels")
	count(fs) == 1
}

test_fires_on_a_missing_service_account_of_an_annotated_entry if {
	some f in mf204.findings with input as inp({"app": "cart", "version": "v1"}, "", "annotation")
	f.path == "spec"
	startswith(f.message, "no serviceAccount")
}

test_silent_when_entry_matches_group if {
	count(mf204.findings) == 0 with input as inp({"app": "cart", "version": "v1", "instance": "a"}, "cart", "annotation")
}

test_silent_on_label_fit_without_service_account if {
	count(mf204.findings) == 0 with input as inp({"app": "cart", "version": "v1"}, "", "labels")
}

test_silent_without_group if {
	w := {"ref": 2, "kind": "WorkloadEntry", "name": "cart-vm-1", "labels": {}, "serviceAccount": "x", "labelsPath": "spec.labels"}
	i := {"namespaces": ["shop"], "index": {"workloadsByNamespace": {"shop": [2]}, "workloads": {2: w}}}
	count(mf204.findings) == 0 with input as i
}
