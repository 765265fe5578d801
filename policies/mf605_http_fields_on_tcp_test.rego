package meshfleet.rules.mf605_test

import data.meshfleet.rules.mf605

ap(action, conditions, facts) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"namespace": "data", "name": "db", "action": action, "conditions": conditions,
	"authz": {"rules": [facts], "tcpAny": true},
}

op(field) := {field: [{"rule": 0, "to": 0, "path": sprintf("spec.rules[0].to[0].operation.%s", [field]), "values": ["x"]}]}

tcp5432 := {"tcp": "port 5432 of WorkloadEntry data/db-1", "to": [{"tcp": "port 5432 of WorkloadEntry data/db-1"}]}

run(p) := fs if {
	fs := mf605.findings with input as {"resources": {"AuthorizationPolicy": [p]}}
}

test_fires_on_methods_for_a_tcp_port if {
	run(ap("ALLOW", op("methods"), tcp5432)) == {{
		"ref": 1,
		"path": "spec.rules[0].to[0].operation.methods",
		"message": "methods is HTTP-only, but the traffic on port 5432 of WorkloadEntry data/db-1 is TCP: Istio cannot evaluate it on TCP traffic and ignores this ALLOW rule there, so the connections it was meant to admit are denied unless another ALLOW rule matches them; scope the rule to HTTP ports, or drop the field",
	}}
}

test_fires_on_deny_headers_and_request_principals_for_an_all_tcp_workload if {
	conditions := {
		"when": [
			{"rule": 0, "path": "spec.rules[0].when[0].key", "key": "request.headers[x-user]"},
			{"rule": 0, "path": "spec.rules[0].when[1].key", "key": "source.ip"},
		],
		"requestPrincipals": [{"rule": 0, "path": "spec.rules[0].from[0].source.requestPrincipals", "values": ["*"]}],
	}
	fs := run(ap("DENY", conditions, {"tcp": "every port of WorkloadEntry data/db-1", "to": []}))
	{f.path | some f in fs} == {"spec.rules[0].when[0].key", "spec.rules[0].from[0].source.requestPrincipals"}
	some f in fs
	contains(f.message, "denies every TCP connection")
}

test_silent_on_http_ports if {
	count(run(ap("ALLOW", op("paths"), {"tcp": "", "to": [{"tcp": ""}]}))) == 0
}

test_silent_without_http_fields if {
	count(run(ap("ALLOW", op("ports"), tcp5432))) == 0
}

test_silent_for_audit if {
	count(run(ap("AUDIT", op("methods"), tcp5432))) == 0
}

test_silent_without_facts if {
	count(run(object.remove(ap("ALLOW", op("methods"), tcp5432), ["authz"]))) == 0
}
