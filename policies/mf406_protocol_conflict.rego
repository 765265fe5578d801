# METADATA
# title: Two Services declare different protocols for one workload port
# description: >-
#   Two Services select the same workload and send traffic to the same port
#   of it, but declare different protocols for it (by port name prefix or
#   appProtocol, appProtocol first): HTTP/1.1 against HTTP/2 or gRPC, HTTP
#   against TCP or TLS. Istio builds one inbound listener per workload port,
#   so only one of the two protocols applies there and the other Service's
#   traffic is handled as the wrong protocol. Protocols the sidecar treats
#   alike (gRPC, gRPC-Web and HTTP/2; HTTPS and TLS; TCP, Mongo, MySQL and
#   Redis) do not conflict, and ports without a declared protocol are MF401's.
#   Only workloads in the mesh count: without a proxy there is no inbound
#   listener, and each Service's traffic reaches the workload as sent (a pod
#   Istio does not inject, a WorkloadEntry with tlsMode disabled).
# custom:
#   id: MF406
#   severity: warning
#   remediation: >-
#     Declare the same protocol on both Services' ports for that workload
#     port (rename one, or set appProtocol), or send them to different ports.
#   bad: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: payment-service, namespace: payments}
#     spec:
#       selector: {app: payment-service}
#       ports: [{name: http, port: 80, targetPort: 8080}]
#     ---
#     apiVersion: v1
#     kind: Service
#     metadata: {name: payment-raw, namespace: payments}
#     spec:
#       selector: {app: payment-service}
#       ports: [{name: tcp-raw, port: 8080}]   # TCP on the port the other calls HTTP
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadEntry
#     metadata: {name: payment-vm-1, namespace: payments}
#     spec:
#       address: 10.0.1.5
#       labels: {app: payment-service, version: v1}
#   good: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: payment-raw, namespace: payments}
#     spec:
#       selector: {app: payment-service}
#       ports: [{name: http-raw, port: 8080}]
package meshfleet.rules.mf406

findings contains f if {
	some svc in input.resources.Service
	svc.apiVersion == "v1"
	some p in svc.servicePorts

	# The index groups the workloads where p disagrees with another
	# Service's port by that port: [service, portName, protocol], the first
	# workload (by "kind name ref") and how many. Only the Service whose
	# name sorts later reports, so one disagreement is one finding.
	some c in p.conflicts
	c.service < svc.name
	f := {
		"ref": svc.ref,
		"path": sprintf("spec.ports[%d]", [p.index]),
		"message": sprintf(
			"Services %q (port %q: %s) and %q (port %q: %s) send traffic to port %v of %s %s%s with different protocols; Istio builds one inbound listener per workload port, so only one protocol applies there: declare the same protocol on both",
			[c.service, c.portName, c.protocol, svc.name, p.name, p.protocol, c.port, c.first.kind, c.first.name, others(c.count)],
		),
	}
}

others(1) := ""

others(2) := " (and 1 more workload)"

others(n) := sprintf(" (and %d more workloads)", [n - 1]) if n > 2
