# METADATA
# title: Policy or Sidecar selector matches no workload
# description: >-
#   An AuthorizationPolicy, PeerAuthentication, RequestAuthentication or
#   Telemetry selector.matchLabels, or a Sidecar workloadSelector.labels,
#   matches no Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
#   CronJob, WorkloadEntry or WorkloadGroup in the resource's namespace: the
#   policy applies to nothing, so the access control, mTLS mode, JWT rules,
#   telemetry or egress scope it was written for is not in force. Not checked:
#   policies that use targetRef/targetRefs (they attach to gateways and
#   Services, not to labels); namespaces whose workloads the input does not
#   show at all (policies kept apart from the apps, gateways installed by
#   Helm or istioctl); AuthorizationPolicies and RequestAuthentications in the
#   root namespace, whose selector matches workloads in every namespace of
#   the mesh, not only those in the input; PeerAuthentications in the root
#   namespace, whose selector Istio ignores (reported by MF504). With a
#   complete input (lint --complete) namespaces without workloads are
#   checked too, and so is an AuthorizationPolicy selector in the root
#   namespace: it must match some workload in any namespace. A Telemetry
#   with a selector in the root namespace is reported: Istio ignores it
#   there. Labels set only at run time (topology.istio.io/network, ...) are
#   taken as matching.
# custom:
#   id: MF202
#   severity: warning
#   remediation: >-
#     Make the selector match the labels of the workload's pod template or
#     WorkloadEntry/WorkloadGroup (matchLabels needs every label), move the
#     policy into the workload's namespace, or drop the selector to apply it
#     to the whole namespace.
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: cart-allow, namespace: shop}
#     spec:
#       selector:
#         matchLabels: {app: kart}   # the workloads are labelled app: cart
#       action: ALLOW
#       rules: [{from: [{source: {namespaces: [frontend]}}]}]
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: cart-allow, namespace: shop}
#     spec:
#       selector:
#         matchLabels: {app: cart}
#       action: ALLOW
#       rules: [{from: [{source: {namespaces: [frontend]}}]}]
package meshfleet.rules.mf202

import data.meshfleet.lib

# checked maps each kind to where its selector lives.
checked := {
	"AuthorizationPolicy": "spec.selector.matchLabels",
	"PeerAuthentication": "spec.selector.matchLabels",
	"RequestAuthentication": "spec.selector.matchLabels",
	"Telemetry": "spec.selector.matchLabels",
	"Sidecar": "spec.workloadSelector.labels",
}

# In the root namespace an AuthorizationPolicy or RequestAuthentication
# selector spans the mesh, a PeerAuthentication selector is ignored (MF504)
# and a Telemetry selector is ignored (the last rule below). One rule per
# kind: input.resources[k] would make the engine convert every kind.
findings contains f if {
	some r in input.resources.AuthorizationPolicy
	r.namespace != input.index.rootNamespace
	f := unmatched(r)
}

findings contains f if {
	some r in input.resources.PeerAuthentication
	r.namespace != input.index.rootNamespace
	f := unmatched(r)
}

findings contains f if {
	some r in input.resources.RequestAuthentication
	r.namespace != input.index.rootNamespace
	f := unmatched(r)
}

findings contains f if {
	some r in input.resources.Telemetry
	r.namespace != input.index.rootNamespace
	f := unmatched(r)
}

findings contains f if {
	some r in input.resources.Sidecar
	f := unmatched(r)
}

# targeted is true for a policy attached by targetRef(s), not by labels.
# The index copies spec.targetRef(s) as written (absent when unset).
targeted(r) if r.targetRef

targeted(r) if count(r.targetRefs) > 0

unmatched(r) := {
	"ref": r.ref,
	"path": checked[r.kind],
	"message": sprintf(
		"selector %s matches no workload in namespace %s, so this %s applies to nothing; fix the labels or label the workload",
		[lib.format_labels(r.selector), r.namespace, r.kind],
	),
} if {
	count(r.selected) == 0
	count(r.selector) > 0
	lib.istio(r)
	not targeted(r)
	lib.workloads_known(r.namespace)
}

# With a complete input, a selector of an AuthorizationPolicy in the root
# namespace, which applies in every namespace, must match some workload of
# any namespace (the index selects across namespaces for it).
findings contains f if {
	lib.complete
	some r in input.resources.AuthorizationPolicy
	r.namespace == input.index.rootNamespace
	count(r.selector) > 0
	count(r.selected) == 0
	lib.istio(r)
	not targeted(r)
	f := {
		"ref": r.ref,
		"path": checked[r.kind],
		"message": sprintf(
			"selector %s in the root namespace %s applies in every namespace, but matches no workload in any namespace of the input, so this AuthorizationPolicy applies to nothing; fix the labels or label the workload",
			[lib.format_labels(r.selector), r.namespace],
		),
	}
}

findings contains f if {
	some r in input.resources.Telemetry
	r.namespace == input.index.rootNamespace
	lib.istio(r)
	count(r.selector) > 0
	not targeted(r)
	f := {
		"ref": r.ref,
		"path": "spec.selector",
		"message": sprintf(
			"Istio ignores a workload selector on a Telemetry in the root namespace %s; move it to the workload's namespace, or drop the selector to make it the mesh-wide default",
			[r.namespace],
		),
	}
}
