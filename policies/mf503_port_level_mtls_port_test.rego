package meshfleet.rules.mf503_test

import data.meshfleet.rules.mf503

pa(levels, listen) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
	"namespace": "shop", "name": "web", "selector": {"app": "web"}, "selected": [2],
	"portLevelMtls": levels, "selectedPorts": selected_ports(listen),
}

# What the index sums up of the selected workloads' ports: every one
# declares some, their union, the first "Kind ns/name has <ports>" and how
# many workloads.
selected_ports(listen) := {
	"declared": count(listen) > 0,
	"ports": {p: true | some p, _ in listen},
	"first": concat("", ["Deployment shop/web has ", concat(", ", sort(object.keys(listen)))]),
	"count": 1,
}

index(listen) := {
	"rootNamespace": "istio-system",
	"workloads": {2: {"ref": 2, "kind": "Deployment", "namespace": "shop", "name": "web", "listenPorts": listen}},
}

test_fires_on_a_service_port_key if {
	fs := mf503.findings with input as {"resources": {"PeerAuthentication": [pa({"80": {"mode": "PERMISSIVE"}}, {"8080": "http"})]}, "index": index({"8080": "http"})}
	fs == {{
		"ref": 1,
		"path": "spec.portLevelMtls.80",
		"message": "portLevelMtls sets port 80, but no workload the selector app=web selects receives traffic on it (Deployment shop/web has 8080); portLevelMtls keys are workload (target) ports, not Service ports: use the port the workload listens on",
	}}
}

test_silent_on_a_workload_port if {
	inp := {"resources": {"PeerAuthentication": [pa({"8080": {"mode": "PERMISSIVE"}}, {"8080": "http"})]}, "index": index({"8080": "http"})}
	count(mf503.findings) == 0 with input as inp
}

test_silent_when_the_workload_declares_no_ports if {
	inp := {"resources": {"PeerAuthentication": [pa({"80": {"mode": "PERMISSIVE"}}, {})]}, "index": index({})}
	count(mf503.findings) == 0 with input as inp
}

test_silent_without_selected_workloads if {
	p := object.union(pa({"80": {"mode": "PERMISSIVE"}}, {"8080": "http"}), {"selected": []})
	count(mf503.findings) == 0 with input as {"resources": {"PeerAuthentication": [p]}, "index": index({"8080": "http"})}
}
