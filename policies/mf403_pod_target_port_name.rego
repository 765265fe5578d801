# METADATA
# title: Named targetPort that no container of the selected pods declares
# description: >-
#   A Service port's targetPort is a name, and a pod template the Service
#   selects (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
#   ReplicationController, Job, CronJob) has no container port of that name.
#   Kubernetes resolves a named targetPort per pod, and leaves out of the
#   Service's endpoints for that port every pod that does not declare it: the
#   port has no backend on those pods. Numeric targetPorts need not be
#   declared and are not checked; VMs are checked by MF402, and pod
#   templates of other kinds (operators may add ports) are not checked.
# custom:
#   id: MF403
#   severity: error
#   remediation: >-
#     Give the container port that serves this traffic the targetPort's name,
#     or write the targetPort as a number.
#   bad: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: cart, namespace: shop}
#     spec:
#       selector: {app: cart}
#       ports: [{name: http, port: 80, targetPort: web}]
#     ---
#     apiVersion: apps/v1
#     kind: Deployment
#     metadata: {name: cart, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: cart}}
#       template:
#         metadata: {labels: {app: cart, version: v1}}
#         spec:
#           containers:
#             - name: cart
#               image: cart:1
#               ports: [{name: http, containerPort: 8080}]   # no port named web
#   good: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: cart, namespace: shop}
#     spec:
#       selector: {app: cart}
#       ports: [{name: http, port: 80, targetPort: http}]
package meshfleet.rules.mf403

findings contains f if {
	some svc in input.resources.Service
	svc.apiVersion == "v1"
	some p in svc.servicePorts
	# The index sums up the selected workloads per status: the first (by
	# "kind name ref") and how many there are.
	s := p.endpointsByStatus.unnamed
	first := s.first
	f := {
		"ref": svc.ref,
		"path": sprintf("spec.ports[%d].targetPort", [p.index]),
		"message": sprintf(
			"targetPort %q of port %q names no container port of %s %s%s (%s), so Kubernetes leaves its pods out of the endpoints for this port; name the container port %q or use its number",
			[p.targetPort, p.name, first.kind, first.name, others(s.count), declared(first), p.targetPort],
		),
	}
}

others(1) := ""

others(2) := " (and 1 more workload)"

others(n) := sprintf(" (and %d more workloads)", [n - 1]) if n > 2

declared(ep) := concat("", ["its named ports: ", concat(", ", s)]) if {
	s := sort([sprintf("%s=%v", [p.name, p.containerPort]) |
		some p in input.index.workloads[ep.ref].containerPorts
		p.name
	])
	count(s) > 0
}

declared(ep) := "it names no port" if {
	count([1 |
		some p in input.index.workloads[ep.ref].containerPorts
		p.name
	]) == 0
}
