package meshfleet.rules.mf406_test

import data.meshfleet.rules.mf406

svc(ref, name, ports) := {"ref": ref, "apiVersion": "v1", "kind": "Service", "namespace": "payments", "name": name, "servicePorts": ports}

ep(ref, name, conflicts) := {"ref": ref, "kind": "WorkloadEntry", "name": name, "status": "ok", "port": 8080, "conflicts": conflicts}

http := {"ref": 1, "service": "payment-service", "portIndex": 0, "portName": "http", "protocol": "http", "class": "HTTP/1.1"}

tcp := {"ref": 2, "service": "payment-raw", "portIndex": 0, "portName": "tcp-raw", "protocol": "tcp", "class": "TCP"}

services := [
	svc(1, "payment-service", [{"index": 0, "name": "http", "protocol": "http", "endpoints": [ep(3, "vm-1", [tcp]), ep(4, "vm-2", [tcp])]}]),
	svc(2, "payment-raw", [{"index": 0, "name": "tcp-raw", "protocol": "tcp", "endpoints": [ep(4, "vm-2", [http]), ep(3, "vm-1", [http])]}]),
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
	agree := [svc(1, "payment-service", [{"index": 0, "name": "http", "protocol": "http", "endpoints": [{"ref": 3, "kind": "WorkloadEntry", "name": "vm-1", "status": "ok", "port": 8080}]}])]
	fs := mf406.findings with input as {"resources": {"Service": agree}}
	count(fs) == 0
}
