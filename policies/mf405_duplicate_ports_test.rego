package meshfleet.rules.mf405_test

import data.meshfleet.rules.mf405

inp(dups) := {"namespaces": ["shop"], "index": {"portDuplicates": {"shop": dups, "other": [
	{"ref": 9, "kind": "Service", "path": "spec.ports[1].name", "first": "spec.ports[0]", "field": "name", "value": "http"},
]}}}

test_fires_on_a_service_port_name_twice if {
	fs := mf405.findings with input as inp([{"ref": 1, "kind": "Service", "path": "spec.ports[1].name", "first": "spec.ports[0]", "field": "name", "value": "http"}])
	fs == {{
		"ref": 1,
		"path": "spec.ports[1].name",
		"message": "port name \"http\" repeats spec.ports[0]; the API server rejects a Service with two ports of one name: rename or remove one",
	}}
}

test_fires_on_container_ports if {
	fs := mf405.findings with input as inp([
		{"ref": 2, "kind": "Deployment", "path": "spec.template.spec.containers[1].ports[0].name", "first": "spec.template.spec.containers[0].ports[0]", "field": "name", "value": "http"},
		{"ref": 2, "kind": "Deployment", "path": "spec.template.spec.containers[0].ports[1].containerPort", "first": "spec.template.spec.containers[0].ports[0]", "field": "port", "value": "8080/TCP"},
	])
	count(fs) == 2
	some f in fs
	f.message == "containerPort 8080/TCP repeats spec.template.spec.containers[0].ports[0] in the same container: remove the duplicate"
}

test_silent_without_duplicates_in_the_shard if {
	fs := mf405.findings with input as inp([])
	count(fs) == 0
}
