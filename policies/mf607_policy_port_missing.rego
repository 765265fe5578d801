# METADATA
# title: AuthorizationPolicy port that the workloads do not have
# description: >-
#   The ports and notPorts of an AuthorizationPolicy operation are the ports
#   the workloads receive traffic on (container ports, WorkloadEntry or
#   WorkloadGroup port numbers, Service targetPorts), not Service ports. A
#   port none of the workloads the policy applies to has never matches: an
#   operation listing it matches nothing, and notPorts with it excludes
#   nothing. Workload ports are those the workloads declare plus the
#   targetPorts of the Services selecting them. The rule is silent when one
#   of the workloads declares no port (it may listen anywhere), for policies
#   in the root namespace (they reach namespaces the input may not hold) and
#   for policies bound with targetRefs.
# custom:
#   id: MF607
#   severity: warning
#   remediation: >-
#     Name the port the workload listens on (the Service's targetPort, or the
#     number in the WorkloadEntry's ports map), not the Service port.
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: web, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: web}}
#       rules:
#         - to:
#             - operation: {ports: ["80"]}   # Service port 80 targets 8080
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: web, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: web}}
#       rules:
#         - to:
#             - operation: {ports: ["8080"]}
package meshfleet.rules.mf607

import data.meshfleet.lib

effect := {
	"ports": "this operation never matches",
	"notPorts": "this notPorts entry excludes nothing",
}

findings contains f if {
	some ap in input.resources.AuthorizationPolicy
	some field in ["ports", "notPorts"]
	some c in ap.conditions[field]
	declared := ap.authz.listenPorts
	listen := {p | some p in declared}
	some k, p in c.values
	port := sprintf("%v", [p])
	not listen[port]
	f := {
		"ref": ap.ref,
		"path": sprintf("%s[%d]", [c.path, k]),
		"message": sprintf(
			"port %s is not a port of %s (%s), so %s; operation ports are the ports the workloads listen on (targetPorts), not Service ports",
			[port, lib.policy_scope(ap), describe(ap.authz.describe), effect[field]],
		),
	}
}

# describe names the first workload with a sidecar the policy applies to
# ("Kind ns/name has <ports>", the smallest such text, from the index) and
# how many more there are.
describe(d) := concat("", [d.first, more(d.count - 1)])

more(0) := ""

more(n) := sprintf(" and %d more", [n]) if n > 0
