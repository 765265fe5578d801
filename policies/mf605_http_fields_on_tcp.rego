# METADATA
# title: HTTP-only authorization fields on TCP traffic
# description: >-
#   methods, paths, hosts (and their not* forms), requestPrincipals,
#   notRequestPrincipals and request.* conditions (request.headers,
#   request.auth.*) exist only in HTTP requests. On a port whose traffic the
#   sidecar handles as TCP (the Services selecting the workload name it tcp,
#   tls, https, mongo, mysql or redis, by port name or appProtocol) Istio
#   cannot evaluate them: it ignores an ALLOW rule that uses them, so the
#   connections it was meant to admit are denied unless another ALLOW rule
#   matches, and it treats them as matching in a DENY rule, which then denies
#   every TCP connection its other conditions match. Reported when the rule
#   names TCP ports in to.operation.ports, or names none and every port of
#   every workload the policy applies to is TCP. Ports without a declared
#   protocol (Istio sniffs them) count as possibly HTTP; policies in the root
#   namespace or bound with targetRefs are not checked.
# custom:
#   id: MF605
#   severity: warning
#   remediation: >-
#     Keep HTTP-only fields to rules scoped to HTTP ports (to.operation.ports),
#     or declare the port's protocol as HTTP (name it http-..., or set
#     appProtocol) if it really carries HTTP.
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: db, namespace: data}
#     spec:
#       selector: {matchLabels: {app: db}}    # Service port tcp-postgres 5432
#       rules:
#         - to:
#             - operation: {methods: [GET], ports: ["5432"]}
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: db, namespace: data}
#     spec:
#       selector: {matchLabels: {app: db}}
#       rules:
#         - to:
#             - operation: {ports: ["5432"]}
package meshfleet.rules.mf605

import data.meshfleet.lib

operation_fields := ["methods", "notMethods", "paths", "notPaths", "hosts", "notHosts"]

source_fields := ["requestPrincipals", "notRequestPrincipals"]

effects := {
	"ALLOW": "Istio cannot evaluate it on TCP traffic and ignores this ALLOW rule there, so the connections it was meant to admit are denied unless another ALLOW rule matches them",
	"DENY": "Istio cannot evaluate it on TCP traffic and treats it as matching in a DENY rule, so the rule denies every TCP connection its other conditions match",
}

findings contains f if {
	some ap in input.resources.AuthorizationPolicy
	lib.istio(ap)
	action := object.get(ap.object, ["spec", "action"], "ALLOW")
	effect := effects[action]
	ap.appliesComplete
	ws := [w | some ref in ap.appliesTo; w := input.index.workloads[ref]; w.sidecar]
	count(ws) > 0
	some i, rule in object.get(ap.object, ["spec", "rules"], [])
	some [path, field, ports] in uses(rule)
	where := tcp(ws, ports)
	f := {
		"ref": ap.ref,
		"path": sprintf("spec.rules[%d].%s", [i, path]),
		"message": sprintf(
			"%s is HTTP-only, but the traffic on %s is TCP: %s; scope the rule to HTTP ports, or drop the field",
			[field, where, effect],
		),
	}
}

# uses lists the HTTP-only fields of a rule as [path, field, ports], ports
# being the operation's ports (or, for from and when, the rule's) or "all".
uses(rule) := union({operation_uses(rule), source_uses(rule), condition_uses(rule)})

operation_uses(rule) := {[path, field, ports] |
	some j, to in object.get(rule, "to", [])
	some field in operation_fields
	count(object.get(to, ["operation", field], [])) > 0
	path := sprintf("to[%d].operation.%s", [j, field])
	ports := operation_ports(to)
}

source_uses(rule) := {[path, field, ports] |
	some j, from in object.get(rule, "from", [])
	some field in source_fields
	count(object.get(from, ["source", field], [])) > 0
	path := sprintf("from[%d].source.%s", [j, field])
	ports := rule_ports(rule)
}

condition_uses(rule) := {[path, field, ports] |
	some j, cond in object.get(rule, "when", [])
	is_string(cond.key)
	startswith(cond.key, "request.")
	path := sprintf("when[%d].key", [j])
	field := cond.key
	ports := rule_ports(rule)
}

operation_ports(to) := {sprintf("%v", [p]) | some p in to.operation.ports} if count(object.get(to, ["operation", "ports"], [])) > 0

operation_ports(to) := "all" if count(object.get(to, ["operation", "ports"], [])) == 0

rule_ports(rule) := {sprintf("%v", [p]) | some to in rule.to; some p in to.operation.ports} if limited(rule)

rule_ports(rule) := "all" if not limited(rule)

limited(rule) if {
	count(object.get(rule, "to", [])) > 0
	every to in rule.to {
		count(object.get(to, ["operation", "ports"], [])) > 0
	}
}

# tcp describes the TCP ports among ports, or, for "all", holds when every
# port of every workload is TCP.
tcp(ws, "all") := sprintf("every port of %s", [names(ws)]) if {
	every w in ws {
		count(w.listenPorts) > 0
		every _, c in w.listenPorts {
			c == "tcp"
		}
	}
}

tcp(ws, ports) := sprintf("%s %s of %s", [plural(found), concat(", ", sort(found)), names(ws)]) if {
	is_set(ports)
	found := {p |
		some p in ports
		some w in ws
		w.listenPorts[p] == "tcp"
		every w2 in ws {
			object.get(w2.listenPorts, p, "tcp") == "tcp"
		}
	}
	count(found) > 0
}

plural(ps) := "port" if count(ps) == 1

plural(ps) := "ports" if count(ps) > 1

names(ws) := sprintf("%s %s/%s", [ws[0].kind, ws[0].namespace, ws[0].name]) if count(ws) == 1

names(ws) := sprintf("the %d workloads the policy applies to", [count(ws)]) if count(ws) > 1
