package meshfleet.rules.mf607_test

import data.meshfleet.rules.mf607

ap(op) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "shop", "name": "web", "selector": {"app": "web"}, "appliesTo": [2], "appliesComplete": true,
	"object": {"spec": {"rules": [{"to": [{"operation": op}]}]}},
}

index(listen) := {
	"rootNamespace": "istio-system",
	"workloads": {2: {"ref": 2, "kind": "Deployment", "namespace": "shop", "name": "web", "sidecar": true, "listenPorts": listen}},
}

run(p, listen) := fs if {
	fs := mf607.findings with input as {"resources": {"AuthorizationPolicy": [p]}, "index": index(listen)}
}

test_fires_on_a_service_port if {
	run(ap({"ports": ["80"]}), {"8080": "http"}) == {{
		"ref": 1,
		"path": "spec.rules[0].to[0].operation.ports[0]",
		"message": "port 80 is not a port of workloads app=web in shop (Deployment shop/web has 8080), so this operation never matches; operation ports are the ports the workloads listen on (targetPorts), not Service ports",
	}}
}

test_fires_on_not_ports if {
	fs := run(ap({"notPorts": [9090]}), {"8080": "http"})
	count(fs) == 1
	some f in fs
	contains(f.message, "excludes nothing")
}

test_silent_on_a_workload_port if {
	count(run(ap({"ports": ["8080"]}), {"8080": "http"})) == 0
}

test_silent_when_a_workload_declares_no_port if {
	count(run(ap({"ports": ["80"]}), {})) == 0
}

test_silent_in_the_root_namespace if {
	p := object.union(ap({"ports": ["80"]}), {"appliesComplete": false})
	count(run(p, {"8080": "http"})) == 0
}
