# METADATA
# title: Workload label mistypes an Istio label
# description: >-
#   A workload carries a label under istio.io/ or service.istio.io/ that is
#   not one Istio defines but a near miss of one, such as
#   service.istio.io/canonical-version for service.istio.io/canonical-revision
#   or istio.io/use-waypiont for istio.io/use-waypoint. Istio reads its
#   labels by exact name and ignores the rest, so the canonical service or
#   revision (telemetry, Kiali, the revision in metrics), the waypoint or the
#   dataplane mode it was meant to set stays at its default, silently. The
#   known labels are those of the istio.io/api label package and the ones
#   ambient mode and revision tags read; a label is a near miss when the
#   did-you-mean of `meshfleet` finds an Istio label within a few edits of
#   it. Labels under these prefixes that are close to no Istio label (your
#   own) are not reported. Pod templates' labels are checked (what the pod
#   gets), and a WorkloadEntry's merged labels.
# custom:
#   id: MF208
#   severity: warning
#   remediation: >-
#     Rename the label to the Istio label the finding suggests, or drop it.
#   bad: |
#     apiVersion: apps/v1
#     kind: Deployment
#     metadata: {name: cart, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: cart}}
#       template:
#         metadata:
#           labels:
#             app: cart
#             version: v2
#             service.istio.io/canonical-version: v2
#         spec: {containers: [{name: cart, image: cart:2}]}
#   good: |
#     apiVersion: apps/v1
#     kind: Deployment
#     metadata: {name: cart, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: cart}}
#       template:
#         metadata:
#           labels:
#             app: cart
#             version: v2
#             service.istio.io/canonical-revision: v2
#         spec: {containers: [{name: cart, image: cart:2}]}
package meshfleet.rules.mf208

findings contains f if {
	some ns in input.namespaces
	some ref in input.index.workloadsByNamespace[ns]
	w := input.index.workloads[ref]
	some t in w.labelTypos
	f := {
		"ref": w.ref,
		"path": sprintf("%s[%q]", [t.path, t.key]),
		"message": sprintf(
			"label %q is not an Istio label, so Istio ignores it; did you mean %q?",
			[t.key, t.suggestion],
		),
	}
}
