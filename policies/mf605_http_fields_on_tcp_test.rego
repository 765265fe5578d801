package meshfleet.rules.mf605_test

import data.meshfleet.rules.mf605

ap(action, rule) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "data", "name": "db", "appliesTo": [2], "appliesComplete": true,
	"object": {"spec": {"action": action, "rules": [rule]}},
}

index(listen) := {"workloads": {2: {"ref": 2, "kind": "WorkloadEntry", "namespace": "data", "name": "db-1", "sidecar": true, "listenPorts": listen}}}

run(p, listen) := fs if {
	fs := mf605.findings with input as {"resources": {"AuthorizationPolicy": [p]}, "index": index(listen)}
}

test_fires_on_methods_for_a_tcp_port if {
	rule := {"to": [{"operation": {"methods": ["GET"], "ports": ["5432"]}}]}
	run(ap("ALLOW", rule), {"5432": "tcp", "9187": "http"}) == {{
		"ref": 1,
		"path": "spec.rules[0].to[0].operation.methods",
		"message": "methods is HTTP-only, but the traffic on port 5432 of WorkloadEntry data/db-1 is TCP: Istio cannot evaluate it on TCP traffic and ignores this ALLOW rule there, so the connections it was meant to admit are denied unless another ALLOW rule matches them; scope the rule to HTTP ports, or drop the field",
	}}
}

test_fires_on_deny_headers_for_an_all_tcp_workload if {
	rule := {"when": [{"key": "request.headers[x-user]", "values": ["bob"]}]}
	fs := run(ap("DENY", rule), {"5432": "tcp"})
	count(fs) == 1
	some f in fs
	f.path == "spec.rules[0].when[0].key"
	contains(f.message, "every port of WorkloadEntry data/db-1 is TCP")
	contains(f.message, "denies every TCP connection")
}

test_silent_on_http_ports if {
	rule := {"to": [{"operation": {"paths": ["/metrics"], "ports": ["9187"]}}]}
	count(run(ap("ALLOW", rule), {"5432": "tcp", "9187": "http"})) == 0
}

test_silent_when_some_port_may_be_http if {
	rule := {"to": [{"operation": {"methods": ["GET"]}}]}
	count(run(ap("ALLOW", rule), {"5432": "tcp", "9187": ""})) == 0
}

test_silent_without_http_fields if {
	rule := {"from": [{"source": {"principals": ["a/ns/b/sa/c"]}}], "to": [{"operation": {"ports": ["5432"]}}]}
	count(run(ap("ALLOW", rule), {"5432": "tcp"})) == 0
}

test_silent_for_root_namespace_policies if {
	p := object.union(ap("ALLOW", {"to": [{"operation": {"methods": ["GET"]}}]}), {"appliesComplete": false})
	count(run(p, {"5432": "tcp"})) == 0
}
