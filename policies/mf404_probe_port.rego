# METADATA
# title: WorkloadGroup probe checks a port its template does not declare
# description: >-
#   A WorkloadGroup's readiness probe (probe.httpGet.port or
#   probe.tcpSocket.port) names a port number that is none of the numbers in
#   spec.template.ports. The VMs' health then hangs on a port the group does
#   not say they serve, almost always a port that moved or a typo: the probe
#   fails, and Istio takes every auto-registered VM out of the Service's
#   endpoints. Groups whose template declares no ports, and exec probes, are
#   not checked.
# custom:
#   id: MF404
#   severity: error
#   remediation: >-
#     Probe a port the template declares, or add the probed port to
#     spec.template.ports.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadGroup
#     metadata: {name: payment-service, namespace: payments}
#     spec:
#       metadata: {labels: {app: payment-service, version: v1}}
#       template:
#         serviceAccount: payment-service-sa
#         ports: {http: 8080, grpc: 9090}
#       probe:
#         httpGet: {path: /health, port: 8081}   # not a template port
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadGroup
#     metadata: {name: payment-service, namespace: payments}
#     spec:
#       metadata: {labels: {app: payment-service, version: v1}}
#       template:
#         serviceAccount: payment-service-sa
#         ports: {http: 8080, grpc: 9090}
#       probe:
#         httpGet: {path: /health, port: 8080}
package meshfleet.rules.mf404

import data.meshfleet.lib

findings contains f if {
	some wg in input.resources.WorkloadGroup
	lib.istio(wg)
	ports := wg.templatePorts
	is_object(ports)
	count(ports) > 0
	some handler in ["httpGet", "tcpSocket"]
	port := wg.probe[handler].port
	is_number(port)
	not declared(ports, port)
	f := {
		"ref": wg.ref,
		"path": sprintf("spec.probe.%s.port", [handler]),
		"message": sprintf(
			"probe checks port %v, which spec.template.ports (%s) does not declare; probe a declared port or add this one to the template's ports",
			[port, lib.format_labels(ports)],
		),
	}
}

declared(ports, port) if {
	some n in ports
	n == port
}
