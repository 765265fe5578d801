package meshfleet.rules.mf404_test

import data.meshfleet.rules.mf404

wg(spec) := {
	"ref": 3, "apiVersion": "networking.istio.io/v1", "kind": "WorkloadGroup",
	"namespace": "payments", "name": "payment-service",
	"object": {"spec": spec},
}

inp(spec) := {"resources": {"WorkloadGroup": [wg(spec)]}}

template := {"ports": {"http": 8080, "grpc": 9090}}

test_fires_on_an_http_probe_of_an_undeclared_port if {
	fs := mf404.findings with input as inp({"template": template, "probe": {"httpGet": {"path": "/health", "port": 8081}}})
	fs == {{
		"ref": 3,
		"path": "spec.probe.httpGet.port",
		"message": "probe checks port 8081, which spec.template.ports (grpc=9090,http=8080) does not declare; probe a declared port or add this one to the template's ports",
	}}
}

test_fires_on_a_tcp_probe if {
	fs := mf404.findings with input as inp({"template": template, "probe": {"tcpSocket": {"port": 5432}}})
	some f in fs
	f.path == "spec.probe.tcpSocket.port"
}

test_silent_on_a_declared_port if {
	fs := mf404.findings with input as inp({"template": template, "probe": {"httpGet": {"path": "/health", "port": 9090}}})
	count(fs) == 0
}

test_silent_without_template_ports if {
	fs := mf404.findings with input as inp({"template": {"serviceAccount": "sa"}, "probe": {"tcpSocket": {"port": 5432}}})
	count(fs) == 0
}

test_silent_on_exec_probes if {
	fs := mf404.findings with input as inp({"template": template, "probe": {"exec": {"command": ["/bin/true"]}}})
	count(fs) == 0
}
