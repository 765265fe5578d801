package meshfleet.rules.mf502_test

import data.meshfleet.rules.mf502

mtls(mode, level) := {"mode": mode, "level": level, "source": 9, "path": "spec.mtls.mode", "known": true, "ports": {}}

index(m, labels) := {
	"productionLabel": {"env": "production"},
	"namespaces": {"pay": {"labels": labels}},
	"workloadsByNamespace": {"pay": [2]},
	"workloads": {2: {"ref": 2, "kind": "Deployment", "namespace": "pay", "name": "api", "mesh": true, "sidecar": true, "noSidecar": false, "mtls": m}},
}

prod := {"env": "production"}

test_fires_on_the_permissive_policy if {
	fs := mf502.findings with input as {"namespaces": ["pay"], "index": index(mtls("PERMISSIVE", "namespace"), prod)}
	fs == {{
		"ref": 9,
		"path": "spec.mtls.mode",
		"message": "mTLS mode PERMISSIVE applies to workloads in namespace pay, labelled production (env=production): they accept plaintext from callers without a sidecar; set mtls.mode STRICT once every client has one",
	}}
}

test_fires_on_a_disabled_port if {
	port := {"mode": "DISABLE", "level": "port", "source": 9, "path": "spec.portLevelMtls.8080.mode", "known": true}
	m := object.union(mtls("STRICT", "workload"), {"ports": {"8080": port}})
	fs := mf502.findings with input as {"namespaces": ["pay"], "index": index(m, prod)}
	count(fs) == 1
	some f in fs
	f.path == "spec.portLevelMtls.8080.mode"
	contains(f.message, "DISABLE on port 8080")
}

test_fires_on_the_workload_by_default if {
	m := object.remove(object.union(mtls("PERMISSIVE", "default"), {"path": ""}), ["source"])
	fs := mf502.findings with input as {"namespaces": ["pay"], "index": index(m, prod)}
	count(fs) == 1
	some f in fs
	f.ref == 2
	contains(f.message, "no PeerAuthentication applies to Deployment pay/api")
}

test_silent_when_the_default_is_not_proven if {
	m := object.union(mtls("PERMISSIVE", "default"), {"known": false})
	count(mf502.findings) == 0 with input as {"namespaces": ["pay"], "index": index(m, prod)}
}

test_silent_when_strict if {
	count(mf502.findings) == 0 with input as {"namespaces": ["pay"], "index": index(mtls("STRICT", "mesh"), prod)}
}

test_silent_outside_production if {
	inp := {"namespaces": ["pay"], "index": index(mtls("PERMISSIVE", "namespace"), {"env": "staging"})}
	count(mf502.findings) == 0 with input as inp
}

test_silent_without_production_label if {
	idx := object.union(object.remove(index(mtls("PERMISSIVE", "namespace"), prod), ["productionLabel"]), {"productionLabel": {}})
	count(mf502.findings) == 0 with input as {"namespaces": ["pay"], "index": idx}
}

with_workload(m, fields) := object.union(index(m, prod), {"workloads": {2: object.union(index(m, prod).workloads[2], fields)}})

test_silent_on_a_pod_opting_out if {
	idx := with_workload(mtls("PERMISSIVE", "namespace"), {"mesh": false, "sidecar": false, "noSidecar": true})
	count(mf502.findings) == 0 with input as {"namespaces": ["pay"], "index": idx}
}

# Outside the mesh only because its namespace has no injection label: it
# accepts plaintext all the same, so the finding stands.
test_fires_outside_the_mesh_by_namespace if {
	idx := with_workload(mtls("PERMISSIVE", "namespace"), {"mesh": false, "sidecar": false, "noSidecar": false})
	count(mf502.findings) == 1 with input as {"namespaces": ["pay"], "index": idx}
}
