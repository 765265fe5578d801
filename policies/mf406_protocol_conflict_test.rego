package meshfleet.rules.mf406_test

import data.meshfleet.rules.mf406

svc(ref, name, ports) := {"ref": ref, "apiVersion": "v1", "kind": "Service", "namespace": "payments", "name": name, "servicePorts": ports}

# The index groups each port's conflicting workloads by the other Service's
# port: the first workload (by "kind name ref"), its port, and how many.
conflict(service, portName, protocol) := {
	"service": service, "portName": portName, "protocol": protocol, "port": 8080,
	"first": {"ref": 3, "kind": "WorkloadEntry", "name": "vm-1"}, "count": 2,
}

services := [
	svc(1, "payment-service", [{"index": 0, "name": "http", "protocol": "http", "conflicts": [conflict("payment-raw", "tcp-raw", "tcp")]}]),
	svc(2, "payment-raw", [{"index": 0, "name": "tcp-raw", "protocol": "tcp", "conflicts": [conflict("payment-service", "http", "http")]}]),
]

test_fires_once_on_the_later_service if {
	fs := mf406.findings with input as {"resources": {"Service": services}}
	fs == {{
		"ref": 1,
		"path": "spec.ports[0]",
		"message": "Services \"payment-raw\" (port \"tcp-raw\": tcp) and \"payment-service\" (port \"http\": http) send traffic to port 8080 of WorkloadEntry vm-1 (and 1 more workload) with different protocols; Istio builds one inbound listener per workload port, so only one protocol applies there: declare the same protocol on both",
	}}
}

test_silent_without_conflicts if {
	agree := [svc(1, "payment-service", [{"index": 0, "name": "http", "protocol": "http", "endpointsByStatus": {"ok": {"first": {"ref": 3, "kind": "WorkloadEntry", "name": "vm-1", "port": 8080}, "count": 1}}}])]
	fs := mf406.findings with input as {"resources": {"Service": agree}}
	count(fs) == 0
}
