package meshfleet.rules.mf402_test

import data.meshfleet.rules.mf402

svc(ports) := {"ref": 1, "apiVersion": "v1", "kind": "Service", "namespace": "payments", "name": "payment-service", "servicePorts": ports}

# The index sums the endpoints up per status: the first workload (by "kind
# name ref") and how many there are.
port(byStatus) := {"index": 0, "name": "http", "number": 80, "targetPort": 8081, "endpointsByStatus": byStatus}

status(first, n) := {"first": first, "count": n}

index := {"workloads": {
	2: {"ref": 2, "kind": "WorkloadEntry", "name": "vm-1", "ports": {"http-api": 8080, "metrics": 9091}},
	3: {"ref": 3, "kind": "WorkloadEntry", "name": "vm-2", "ports": {"http-api": 8080}},
}}

ep(ref, name, over) := object.union({"ref": ref, "kind": "WorkloadEntry", "name": name}, over)

inp(ports) := {"resources": {"Service": [svc(ports)]}, "index": index}

test_fires_on_a_port_the_vm_does_not_declare if {
	fs := mf402.findings with input as inp([port({"undeclared": status(ep(2, "vm-1", {"port": 8081, "via": "targetPort"}), 1)})])
	fs == {{
		"ref": 1,
		"path": "spec.ports[0]",
		"message": "port \"http\" sends traffic to port 8081 (its targetPort) of WorkloadEntry vm-1, which declares only http-api=8080,metrics=9091; key an entry of its ports by \"http\" or set targetPort to a declared port",
	}}
}

test_fires_once_per_port_naming_the_first_workload if {
	fs := mf402.findings with input as inp([port({"undeclared": status(ep(2, "vm-1", {"port": 8081, "via": "targetPort"}), 2)})])
	count(fs) == 1
	some f in fs
	contains(f.message, "WorkloadEntry vm-1 (and 1 more workload)")
}

test_fires_on_a_named_target_port_missing_from_the_map if {
	p := object.union(port({"dropped": status(ep(2, "vm-1", {}), 1)}), {"targetPort": "web"})
	fs := mf402.findings with input as inp([p])
	some f in fs
	contains(f.message, "targetPort \"web\" of port \"http\" is not a key of the ports of WorkloadEntry vm-1")
	contains(f.message, "Istio drops it")
}

test_silent_when_the_port_resolves_to_a_declared_one if {
	fs := mf402.findings with input as inp([port({"ok": status(ep(2, "vm-1", {"port": 8080, "via": "name"}), 1)})])
	count(fs) == 0
}

test_silent_for_workloads_without_ports_or_pods if {
	fs := mf402.findings with input as inp([port({
		"unchecked": status(ep(4, "vm-3", {"port": 8081}), 1),
		"unnamed": status({"ref": 5, "kind": "Deployment", "name": "pay"}, 1),
	})])
	count(fs) == 0
}
