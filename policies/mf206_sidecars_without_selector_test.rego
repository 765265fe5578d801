package meshfleet.rules.mf206_test

import data.meshfleet.rules.mf206

sc(ref, name, spec) := object.union(
	{"ref": ref, "apiVersion": "networking.istio.io/v1", "kind": "Sidecar", "namespace": "shop", "name": name},
	written(spec),
)

written(spec) := {"workloadSelectorWritten": true} if spec.workloadSelector

written(spec) := {} if not spec.workloadSelector

msg := "the Sidecars default, lockdown in namespace shop all have no workloadSelector: which one Istio applies to the namespace's workloads is undefined; keep one selector-less Sidecar and merge the others into it or give them a workloadSelector"

test_fires_on_each if {
	fs := mf206.findings with input as {"namespaces": ["shop"], "resources": {"Sidecar": [sc(1, "default", {}), sc(2, "lockdown", {"egress": []})]}}
	fs == {{"ref": 1, "path": "metadata.name", "message": msg}, {"ref": 2, "path": "metadata.name", "message": msg}}
}

test_silent_on_one if {
	count(mf206.findings) == 0 with input as {"namespaces": ["shop"], "resources": {"Sidecar": [sc(1, "default", {})]}}
}

test_silent_when_the_other_has_a_selector if {
	count(mf206.findings) == 0 with input as {"namespaces": ["shop"], "resources": {"Sidecar": [
		sc(1, "default", {}),
		sc(2, "cart", {"workloadSelector": {"labels": {"app": "cart"}}}),
	]}}
}

test_an_empty_selector_is_a_selector if {
	count(mf206.findings) == 0 with input as {"namespaces": ["shop"], "resources": {"Sidecar": [
		sc(1, "default", {}),
		sc(2, "cart", {"workloadSelector": {}}),
	]}}
}

test_one_object_twice_is_one if {
	count(mf206.findings) == 0 with input as {"namespaces": ["shop"], "resources": {"Sidecar": [sc(1, "default", {}), sc(2, "default", {})]}}
}

test_the_later_copy_wins if {
	count(mf206.findings) == 0 with input as {"namespaces": ["shop"], "resources": {"Sidecar": [
		sc(1, "default", {}),
		sc(2, "cart", {}),
		sc(3, "cart", {"workloadSelector": {"labels": {"app": "cart"}}}),
	]}}
}

test_silent_in_ambient_namespaces if {
	count(mf206.findings) == 0 with input as {
		"namespace": "shop",
		"index": {"namespaces": {"shop": {"labels": {"istio.io/dataplane-mode": "ambient"}}}},
		"resources": {"Sidecar": [sc(1, "default", {}), sc(2, "lockdown", {})]},
	}
}

test_ignores_other_api_groups if {
	other := object.union(sc(2, "lockdown", {}), {"apiVersion": "example.com/v1"})
	count(mf206.findings) == 0 with input as {"namespaces": ["shop"], "resources": {"Sidecar": [sc(1, "default", {}), other]}}
}

test_lists_three_and_counts_the_rest if {
	fs := mf206.findings with input as {"namespaces": ["shop"], "resources": {"Sidecar": [
		sc(1, "a", {}), sc(2, "b", {}), sc(3, "c", {}), sc(4, "d", {}), sc(5, "e", {}),
	]}}
	some f in fs
	f.ref == 5
	startswith(f.message, "the Sidecars a, b, c and 2 more in namespace shop ")
}

# A shard holds several namespaces: one selector-less Sidecar in each is
# no conflict, and two in one namespace are named with that namespace only.
other(ref, name) := object.union(sc(ref, name, {}), {"namespace": "web"})

test_namespaces_of_a_shard_are_apart if {
	count(mf206.findings) == 0 with input as {"namespaces": ["shop", "web"], "resources": {"Sidecar": [
		sc(1, "default", {}), other(2, "default"),
	]}}
	fs := mf206.findings with input as {"namespaces": ["shop", "web"], "resources": {"Sidecar": [
		sc(1, "default", {}), sc(2, "lockdown", {"egress": []}), other(3, "default"), other(4, "zz"),
	]}}
	fs == {
		{"ref": 1, "path": "metadata.name", "message": msg},
		{"ref": 2, "path": "metadata.name", "message": msg},
		{"ref": 3, "path": "metadata.name", "message": replace(replace(msg, "default, lockdown", "default, zz"), "namespace shop", "namespace web")},
		{"ref": 4, "path": "metadata.name", "message": replace(replace(msg, "default, lockdown", "default, zz"), "namespace shop", "namespace web")},
	}
}
