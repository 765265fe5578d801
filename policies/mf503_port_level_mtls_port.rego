# METADATA
# title: portLevelMtls names a port the selected workloads do not have
# description: >-
#   The keys of a PeerAuthentication's portLevelMtls are the ports the
#   workloads receive traffic on (container ports, WorkloadEntry or
#   WorkloadGroup port numbers, Service targetPorts), not Service ports. A key
#   that is none of the selected workloads' ports overrides nothing, so the
#   port meant to be relaxed or tightened keeps the workload's mode. Workload
#   ports are those the workloads declare plus the targetPorts of the Services
#   that select them; the rule is silent when some selected workload declares
#   none (it may listen anywhere), and for policies without a selector (Istio
#   honours portLevelMtls only with one) or in the root namespace (MF504).
# custom:
#   id: MF503
#   severity: warning
#   remediation: >-
#     Key portLevelMtls by the workload's target port (the Service's targetPort,
#     or the number in the WorkloadEntry's ports map), not by the Service port.
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: PeerAuthentication
#     metadata: {name: web, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: web}}
#       mtls: {mode: STRICT}
#       portLevelMtls:
#         80: {mode: PERMISSIVE}    # Service port 80 targets 8080 on the pods
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: PeerAuthentication
#     metadata: {name: web, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: web}}
#       mtls: {mode: STRICT}
#       portLevelMtls:
#         8080: {mode: PERMISSIVE}
package meshfleet.rules.mf503

import data.meshfleet.lib

findings contains f if {
	some pa in input.resources.PeerAuthentication
	some key, _ in pa.portLevelMtls
	count(pa.selected) > 0
	pa.namespace != input.index.rootNamespace
	port := sprintf("%v", [key])

	# The index sums up the selected workloads' ports (selectedPorts):
	# every one declares some (declared), none has this one.
	sp := pa.selectedPorts
	sp.declared
	not sp.ports[port]
	f := {
		"ref": pa.ref,
		"path": sprintf("spec.portLevelMtls.%s", [port]),
		"message": sprintf(
			"portLevelMtls sets port %s, but no workload the selector %s selects receives traffic on it (%s); portLevelMtls keys are workload (target) ports, not Service ports: use the port the workload listens on",
			[port, lib.format_labels(pa.selector), describe(sp)],
		),
	}
}

# describe names the first selected workload ("Kind ns/name has <ports>",
# the smallest such text) and how many more there are.
describe(sp) := concat("", [sp.first, suffix(sp.count - 1)])

suffix(0) := ""

suffix(n) := sprintf(" and %d more", [n]) if n > 0
