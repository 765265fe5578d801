package meshfleet.rules.mf401_test

import data.meshfleet.rules.mf401

svc(ports) := {"ref": 1, "apiVersion": "v1", "kind": "Service", "namespace": "db", "name": "pg", "servicePorts": ports}

port(over) := object.union(
	{
		"index": 0, "name": "postgres", "number": 5432, "appProtocol": "", "transport": "TCP",
		"nameProtocol": "", "protocol": "", "wellKnown": false, "endpoints": [],
	},
	over,
)

inp(ports) := {"resources": {"Service": [svc(ports)]}}

test_fires_on_a_port_named_after_no_protocol if {
	fs := mf401.findings with input as inp([port({})])
	fs == {{
		"ref": 1,
		"path": "spec.ports[0].name",
		"message": "port \"postgres\" (5432) does not name a protocol and has no appProtocol, so Istio sniffs each connection (added latency, server-first protocols misdetected); rename it \"tcp-postgres\" (or http-, grpc-, ... as it serves) or set appProtocol",
	}}
}

test_fires_on_an_unnamed_port_at_the_port if {
	fs := mf401.findings with input as inp([port({"index": 2, "name": "", "number": 8080})])
	some f in fs
	f.path == "spec.ports[2]"
	contains(f.message, "port 8080 has no name")
}

test_silent_when_the_name_carries_a_protocol if {
	fs := mf401.findings with input as inp([port({"name": "tcp-postgres", "nameProtocol": "tcp", "protocol": "tcp"})])
	count(fs) == 0
}

test_silent_with_an_app_protocol if {
	fs := mf401.findings with input as inp([port({"appProtocol": "tcp", "protocol": "tcp"})])
	count(fs) == 0
}

test_silent_on_udp if {
	fs := mf401.findings with input as inp([port({"name": "dns", "number": 5353, "transport": "UDP"})])
	count(fs) == 0
}

test_silent_on_ports_istio_treats_as_tcp if {
	fs := mf401.findings with input as inp([port({"name": "db", "number": 3306, "wellKnown": true})])
	count(fs) == 0
}

test_silent_in_the_namespaces_istio_never_injects if {
	every ns in ["kube-system", "kube-public", "kube-node-lease", "local-path-storage"] {
		s := object.union(svc([port({})]), {"namespace": ns})
		count(mf401.findings) == 0 with input as {"resources": {"Service": [s]}}
	}
}

test_fires_in_istio_system_on_a_service_of_its_own if {
	s := object.union(svc([port({})]), {"namespace": "istio-system"})
	count(mf401.findings) == 1 with input as {"resources": {"Service": [s]}}
}

test_silent_on_istio_owned_services if {
	s := object.union(svc([port({})]), {"istioOwned": true})
	count(mf401.findings) == 0 with input as {"resources": {"Service": [s]}}
}
