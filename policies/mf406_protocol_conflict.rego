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
	some key, uses in conflicts(svc, p)
	names := sort(object.keys(uses))
	first := uses[names[0]]
	f := {
		"ref": svc.ref,
		"path": sprintf("spec.ports[%d]", [p.index]),
		"message": sprintf(
			"Services %q (port %q: %s) and %q (port %q: %s) send traffic to port %v of %s %s%s with different protocols; Istio builds one inbound listener per workload port, so only one protocol applies there: declare the same protocol on both",
			[key[0], key[1], key[2], svc.name, p.name, p.protocol, first.ep.port, first.ep.kind, first.ep.name, others(names)],
		),
	}
}

# conflicts groups, by the other Service's port, the workloads where p
# disagrees with it. Only the Service whose name sorts later reports, so one
# disagreement is one finding.
conflicts(svc, p) := {key: uses |
	some ep in p.endpoints
	some c in ep.conflicts
	c.service < svc.name
	key := [c.service, c.portName, c.protocol]
	uses := {sprintf("%s %s %d", [e.kind, e.name, e.ref]): {"ep": e} |
		some e in p.endpoints
		some d in e.conflicts
		[d.service, d.portName, d.protocol] == key
	}
}

others(names) := "" if count(names) == 1

others(names) := " (and 1 more workload)" if count(names) == 2

others(names) := sprintf(" (and %d more workloads)", [count(names) - 1]) if count(names) > 2
