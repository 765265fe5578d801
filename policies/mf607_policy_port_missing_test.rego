package meshfleet.rules.mf607_test

import data.meshfleet.rules.mf607

ap(op, authz) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "shop", "name": "web", "selector": {"app": "web"},
	"conditions": {field: [{"rule": 0, "to": 0, "path": sprintf("spec.rules[0].to[0].operation.%s", [field]), "values": values}] |
		some field, values in op
	},
	"appliesTo": [2], "authz": authz,
}

idx := {
	"rootNamespace": "istio-system",
	"workloads": {2: {"ref": 2, "kind": "Deployment", "namespace": "shop", "name": "web", "sidecar": true, "listenPorts": {"9090": "", "8080": "http"}}},
}

# describe: the first workload with a sidecar ("Kind ns/name has <ports>")
# and how many there are, as the index sums them up.
known := {"listenPorts": ["8080", "9090"], "rules": [], "describe": {"first": "Deployment shop/web has 8080, 9090", "count": 1}}

run(p) := fs if {
	fs := mf607.findings with input as {"resources": {"AuthorizationPolicy": [p]}, "index": idx}
}

test_fires_on_a_service_port if {
	run(ap({"ports": ["80"]}, known)) == {{
		"ref": 1,
		"path": "spec.rules[0].to[0].operation.ports[0]",
		"message": "port 80 is not a port of workloads app=web in shop (Deployment shop/web has 8080, 9090), so this operation never matches; operation ports are the ports the workloads listen on (targetPorts), not Service ports",
	}}
}

test_fires_on_not_ports if {
	fs := run(ap({"notPorts": [9091]}, known))
	count(fs) == 1
	some f in fs
	contains(f.message, "excludes nothing")
}

test_silent_on_a_workload_port if {
	count(run(ap({"ports": ["8080"]}, known))) == 0
}

test_silent_when_ports_are_not_all_declared if {
	count(run(ap({"ports": ["80"]}, {"rules": [], "describe": known.describe}))) == 0
}
