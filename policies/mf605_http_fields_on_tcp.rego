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

operation_fields := ["methods", "notMethods", "paths", "notPaths", "hosts", "notHosts"]

source_fields := ["requestPrincipals", "notRequestPrincipals"]

effects := {
	"ALLOW": "Istio cannot evaluate it on TCP traffic and ignores this ALLOW rule there, so the connections it was meant to admit are denied unless another ALLOW rule matches them",
	"DENY": "Istio cannot evaluate it on TCP traffic and treats it as matching in a DENY rule, so the rule denies every TCP connection its other conditions match",
}

findings contains f if {
	some ap in input.resources.AuthorizationPolicy
	ap.authz.tcpAny
	effect := effects[ap.action]
	some [c, field, where] in uses(ap)
	where != ""
	f := {
		"ref": ap.ref,
		"path": c.path,
		"message": sprintf(
			"%s is HTTP-only, but the traffic on %s is TCP: %s; scope the rule to HTTP ports, or drop the field",
			[field, where, effect],
		),
	}
}

# uses lists the HTTP-only fields of a policy as [condition, field, where],
# where being the index's description of the TCP ports the field applies
# to: the operation's ports for operation fields, the rule's for from and
# when.
uses(ap) := union({operation_uses(ap), source_uses(ap), condition_uses(ap)})

operation_uses(ap) := {[c, field, ap.authz.rules[c.rule].to[c.to].tcp] |
	some field in operation_fields
	some c in ap.conditions[field]
}

source_uses(ap) := {[c, field, ap.authz.rules[c.rule].tcp] |
	some field in source_fields
	some c in ap.conditions[field]
}

condition_uses(ap) := {[c, c.key, ap.authz.rules[c.rule].tcp] |
	some c in ap.conditions.when
	startswith(c.key, "request.")
}
