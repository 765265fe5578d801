package meshfleet.rules.mf203_test

import data.meshfleet.rules.mf203

wl(missing, extra) := object.union(
	{"ref": 1, "kind": "WorkloadGroup", "namespace": "shop", "name": "cart-vms", "missingLabels": missing, "labelsPath": "spec.metadata.labels", "mesh": true},
	extra,
)

inp(w) := {"namespaces": ["shop"], "index": {"workloadsMissingLabels": {"shop": [1]}, "workloads": {1: w}, "namespaces": {"shop": {"labels": {}}}}}

test_fires_without_version if {
	fs := mf203.findings with input as inp(wl(["version"], {}))
	fs == {{
		"ref": 1,
		"path": "spec.metadata.labels",
		"message": "WorkloadGroup cart-vms has no version label: Istio's metrics and traces then show revision \"latest\"; add version: <version>",
	}}
}

test_fires_without_both if {
	fs := mf203.findings with input as inp(wl(["app", "version"], {}))
	some f in fs
	contains(f.message, "no app or version label")
	contains(f.message, "add app: <app> and version: <version>")
}

test_silent_with_both if {
	count(mf203.findings) == 0 with input as inp(wl([], {}))
}

# Outside the mesh (the index decides: pod opt-out, namespace injection
# off, hostNetwork, tlsMode disabled) no proxy reports telemetry.
test_silent_outside_the_mesh if {
	count(mf203.findings) == 0 with input as inp(wl(["app", "version"], {"mesh": false}))
}
