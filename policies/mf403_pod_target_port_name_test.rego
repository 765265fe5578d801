package meshfleet.rules.mf403_test

import data.meshfleet.rules.mf403

svc(ports) := {"ref": 1, "apiVersion": "v1", "kind": "Service", "namespace": "shop", "name": "cart", "servicePorts": ports}

# The index sums the endpoints up per status: the first workload (by "kind
# name ref") and how many there are.
port(byStatus) := {"index": 0, "name": "http", "number": 80, "targetPort": "web", "endpointsByStatus": byStatus}

status(first, n) := {"first": first, "count": n}

index := {"workloads": {
	2: {"ref": 2, "kind": "Deployment", "name": "cart", "containerPorts": [{"name": "http", "containerPort": 8080}, {"containerPort": 9090}]},
	3: {"ref": 3, "kind": "Deployment", "name": "cart-next", "containerPorts": []},
}}

inp(ports) := {"resources": {"Service": [svc(ports)]}, "index": index}

test_fires_on_a_name_no_container_declares if {
	fs := mf403.findings with input as inp([port({"unnamed": status({"ref": 2, "kind": "Deployment", "name": "cart"}, 1)})])
	fs == {{
		"ref": 1,
		"path": "spec.ports[0].targetPort",
		"message": "targetPort \"web\" of port \"http\" names no container port of Deployment cart (its named ports: http=8080), so Kubernetes leaves its pods out of the endpoints for this port; name the container port \"web\" or use its number",
	}}
}

test_says_when_the_pod_names_no_port if {
	fs := mf403.findings with input as inp([port({"unnamed": status({"ref": 3, "kind": "Deployment", "name": "cart-next"}, 1)})])
	some f in fs
	contains(f.message, "(it names no port)")
}

test_silent_when_the_name_resolves if {
	fs := mf403.findings with input as inp([port({"ok": status({"ref": 2, "kind": "Deployment", "name": "cart", "port": 8080}, 1)})])
	count(fs) == 0
}

test_silent_on_vms_and_unchecked_kinds if {
	fs := mf403.findings with input as inp([port({
		"dropped": status({"ref": 4, "kind": "WorkloadEntry", "name": "vm-1"}, 1),
		"unchecked": status({"ref": 5, "kind": "Rollout", "name": "cart"}, 1),
	})])
	count(fs) == 0
}
