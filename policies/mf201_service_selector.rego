# METADATA
# title: Service selector matches no workload
# description: >-
#   A Service's spec.selector matches no Pod, Deployment, StatefulSet,
#   DaemonSet, ReplicaSet, Job, CronJob, WorkloadEntry or WorkloadGroup in its
#   namespace, so the Service has no endpoints and every request to it fails.
#   Services without a selector (endpoints managed by hand) are not checked,
#   nor Services in a namespace whose workloads the input does not show at
#   all (the Services kept apart from the apps, or workloads an operator or
#   Helm chart outside the input creates).
# custom:
#   id: MF201
#   severity: warning
#   remediation: >-
#     Make the selector match the labels of the workload's pod template or
#     WorkloadEntry/WorkloadGroup, or add the missing workload.
#   bad: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: cart, namespace: shop}
#     spec:
#       selector: {app: kart}     # the Deployment is labelled app: cart
#       ports: [{name: http, port: 80}]
#   good: |
#     apiVersion: v1
#     kind: Service
#     metadata: {name: cart, namespace: shop}
#     spec:
#       selector: {app: cart}
#       ports: [{name: http, port: 80}]
package meshfleet.rules.mf201

import data.meshfleet.lib

findings contains f if {
	some svc in input.resources.Service
	svc.apiVersion == "v1"
	count(svc.selector) > 0
	count(svc.selected) == 0
	count(input.index.workloadsByNamespace[svc.namespace]) > 0
	f := {
		"ref": svc.ref,
		"path": "spec.selector",
		"message": sprintf(
			"selector %s matches no workload in namespace %s; fix the selector or label the workload",
			[lib.format_labels(svc.selector), svc.namespace],
		),
	}
}
