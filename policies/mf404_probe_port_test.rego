package meshfleet.rules.mf404_test

import data.meshfleet.rules.mf404

wg := {
	"ref": 3, "apiVersion": "networking.istio.io/v1", "kind": "WorkloadGroup",
	"namespace": "payments", "name": "payment-service",
}

# inp(tp, probe): templatePorts and probe as the index copies them from
# spec.template.ports and spec.probe; null ports stand for none written.
inp(tp, probe) := {"resources": {"WorkloadGroup": [object.union(wg, {"templatePorts": tp, "probe": probe})]}} if tp != null

inp(null, probe) := {"resources": {"WorkloadGroup": [object.union(wg, {"probe": probe})]}}

ports := {"http": 8080, "grpc": 9090}

test_fires_on_an_http_probe_of_an_undeclared_port if {
	fs := mf404.findings with input as inp(ports, {"httpGet": {"path": "/health", "port": 8081}})
	fs == {{
		"ref": 3,
		"path": "spec.probe.httpGet.port",
		"message": "probe checks port 8081, which spec.template.ports (grpc=9090,http=8080) does not declare; probe a declared port or add this one to the template's ports",
	}}
}

test_fires_on_a_tcp_probe if {
	fs := mf404.findings with input as inp(ports, {"tcpSocket": {"port": 5432}})
	some f in fs
	f.path == "spec.probe.tcpSocket.port"
}

test_silent_on_a_declared_port if {
	fs := mf404.findings with input as inp(ports, {"httpGet": {"path": "/health", "port": 9090}})
	count(fs) == 0
}

test_silent_without_template_ports if {
	fs := mf404.findings with input as inp(null, {"tcpSocket": {"port": 5432}})
	count(fs) == 0
}

test_silent_on_exec_probes if {
	fs := mf404.findings with input as inp(ports, {"exec": {"command": ["/bin/true"]}})
	count(fs) == 0
}
