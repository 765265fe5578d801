# METADATA
# title: Service port sends traffic to a port the VM does not declare
# description: >-
#   For each Service port that selects a WorkloadEntry or WorkloadGroup
#   declaring `ports`, Istio picks the VM's port as follows: the map entry
#   named like the Service port; else, for a named targetPort, the map entry
#   of that name (when there is none Istio drops the VM from the Service's
#   endpoints for that port); else the numeric targetPort, or the port
#   itself when targetPort is absent. The rule reports a dropped endpoint,
#   and a resulting port that is none of the numbers the workload declares:
#   traffic lands on a port the VM was not set up to serve. Extra map
#   entries (a metrics port) are fine, and workloads without `ports` are not
#   checked.
# custom:
#   id: MF402
#   severity: error
#   remediation: >-
#     Key the workload's ports by the Service port names (ports: {http: 8080}),
#     or point targetPort at a port the workload declares.
#   bad: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: payment-service, namespace: payments}
#     spec:
#       selector: {app: payment-service}
#       ports:
#         - {name: http, port: 80, targetPort: 8081}   # the VM declares 8080
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadEntry
#     metadata: {name: vm-1, namespace: payments}
#     spec:
#       address: 10.0.1.5
#       labels: {app: payment-service, version: v1}
#       ports: {http-api: 8080, metrics: 9091}
#   good: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: payment-service, namespace: payments}
#     spec:
#       selector: {app: payment-service}
#       ports:
#         - {name: http, port: 80, targetPort: 8080}
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadEntry
#     metadata: {name: vm-1, namespace: payments}
#     spec:
#       address: 10.0.1.5
#       labels: {app: payment-service, version: v1}
#       ports: {http: 8080, metrics: 9091}   # keyed by the Service port name
package meshfleet.rules.mf402

import data.meshfleet.lib

findings contains f if {
	some svc in input.resources.Service
	svc.apiVersion == "v1"
	some p in svc.servicePorts

	# The index sums up the selected workloads per status: the first (by
	# "kind name ref") and how many there are.
	some status in ["dropped", "undeclared"]
	s := p.endpointsByStatus[status]
	f := {
		"ref": svc.ref,
		"path": sprintf("spec.ports[%d]", [p.index]),
		"message": message(status, p, s.first, s.count),
	}
}

# declared writes a workload's ports map as sorted name=number pairs.
declared(ep) := lib.format_labels(input.index.workloads[ep.ref].ports)

others(1) := ""

others(2) := " (and 1 more workload)"

others(n) := sprintf(" (and %d more workloads)", [n - 1]) if n > 2

message("dropped", p, ep, n) := sprintf(
	"targetPort %q of port %q is not a key of the ports of %s %s%s, whose ports are %s, so Istio drops it from the Service's endpoints for this port; key an entry of its ports by %q or %q, or set targetPort to one of its keys",
	[p.targetPort, p.name, ep.kind, ep.name, others(n), declared(ep), p.name, p.targetPort],
)

message("undeclared", p, ep, n) := sprintf(
	"port %q sends traffic to port %v (its %s) of %s %s%s, which declares only %s; key an entry of its ports by %q or set targetPort to a declared port",
	[p.name, ep.port, via(ep), ep.kind, ep.name, others(n), declared(ep), p.name],
)

via(ep) := "targetPort" if ep.via == "targetPort"

via(ep) := "port number, no targetPort given" if ep.via == "port"
