# METADATA
# title: Workload without app and version labels
# description: >-
#   A Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod,
#   WorkloadEntry or WorkloadGroup (or another kind with a pod template)
#   lacks the app and/or version label. Istio derives a workload's canonical
#   service and revision from them (service.istio.io/canonical-name,
#   app.kubernetes.io/name or app; service.istio.io/canonical-revision,
#   app.kubernetes.io/version or version): without them metrics and traces
#   show the workload's name and revision "latest", so dashboards cannot
#   tell the VMs and pods of one service, or two versions, apart. Any of the
#   three labels of each pair satisfies the rule. Only workloads in the mesh
#   are checked (the index's one decision: namespace injection labels, the
#   pod's sidecar.istio.io/inject, hostNetwork, a WorkloadEntry's
#   security.istio.io/tlsMode): without a proxy there is no telemetry.
# custom:
#   id: MF203
#   severity: info
#   remediation: >-
#     Add app and version labels to the pod template (or the WorkloadEntry /
#     WorkloadGroup's labels), e.g. app: cart, version: v1.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadGroup
#     metadata: {name: cart-vms, namespace: shop}
#     spec:
#       metadata:
#         labels: {app: cart}        # no version
#       template: {serviceAccount: cart}
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadGroup
#     metadata: {name: cart-vms, namespace: shop}
#     spec:
#       metadata:
#         labels: {app: cart, version: v1}
#       template: {serviceAccount: cart}
package meshfleet.rules.mf203

# The index lists the roles no label fills (missingLabels): app from
# service.istio.io/canonical-name, app.kubernetes.io/name or app; version
# from service.istio.io/canonical-revision, app.kubernetes.io/version or
# version.
findings contains f if {
	# The index lists the workloads lacking app or version labels by namespace.
	some ns in input.namespaces
	some ref in input.index.workloadsMissingLabels[ns]
	w := input.index.workloads[ref]
	missing := w.missingLabels
	count(missing) > 0
	w.mesh # the index's one decision: a proxy reports its telemetry
	f := {
		"ref": w.ref,
		"path": w.labelsPath,
		"message": sprintf(
			"%s %s has no %s label: Istio's metrics and traces then show %s; add %s",
			[w.kind, w.name, concat(" or ", missing), shown(missing, w.name), concat(" and ", [sprintf("%s: <%s>", [m, m]) | some m in missing])],
		),
	}
}

shown(missing, name) := sprintf("the workload name %q as its service", [name]) if missing == ["app"]

shown(missing, _) := "revision \"latest\"" if missing == ["version"]

shown(missing, name) := sprintf("the workload name %q as its service and revision \"latest\"", [name]) if count(missing) == 2
