# METADATA
# title: Duplicate port name or number
# description: >-
#   A Service lists two ports with one name, or one port number with the same
#   protocol (the API server rejects it, so the apply fails); a pod template
#   declares one container port name twice (named targetPorts and probes
#   silently resolve to the first), or one container declares a port number
#   and protocol twice. WorkloadEntry and WorkloadGroup port maps are not
#   checked: a YAML map cannot repeat a key (that is MF100), and two names
#   for one number are legitimate (one listener serving two Service ports,
#   such as HTTP and gRPC multiplexed on one port).
# custom:
#   id: MF405
#   severity: error
#   remediation: >-
#     Remove the duplicate, or give it its own name or number.
#   bad: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: cart, namespace: shop}
#     spec:
#       selector: {app: cart}
#       ports:
#         - {name: http, port: 80, targetPort: 8080}
#         - {name: http, port: 8080}      # the name again
#   good: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: cart, namespace: shop}
#     spec:
#       selector: {app: cart}
#       ports:
#         - {name: http, port: 80, targetPort: 8080}
#         - {name: http-alt, port: 8080}
package meshfleet.rules.mf405

findings contains f if {
	some ns in input.namespaces
	some d in input.index.portDuplicates[ns]
	f := {"ref": d.ref, "path": d.path, "message": message(d)}
}

message(d) := sprintf(
	"port name %q repeats %s; the API server rejects a Service with two ports of one name: rename or remove one",
	[d.value, d.first],
) if {
	d.kind == "Service"
	d.field == "name"
}

message(d) := sprintf(
	"port %s repeats %s; the API server rejects a Service with one port and protocol twice: remove one or change its port",
	[d.value, d.first],
) if {
	d.kind == "Service"
	d.field == "port"
}

message(d) := sprintf(
	"container port name %q repeats %s; named targetPorts and probes resolve to the first only: rename or remove one",
	[d.value, d.first],
) if {
	d.kind != "Service"
	d.field == "name"
}

message(d) := sprintf(
	"containerPort %s repeats %s in the same container: remove the duplicate",
	[d.value, d.first],
) if {
	d.kind != "Service"
	d.field == "port"
}
