# METADATA
# title: PeerAuthentication with a selector in the root namespace is ignored
# description: >-
#   istiod takes a selector-less PeerAuthentication in the mesh root namespace
#   (istio-system unless rootNamespace says otherwise) as the mesh-wide policy,
#   and one with a selector as a workload policy only outside the root
#   namespace. A PeerAuthentication with a selector in the root namespace is
#   therefore neither: it sets no mode for any workload, not even for those it
#   selects in the root namespace itself, and the mesh falls back to its other
#   policies (or PERMISSIVE). Istio's PeerAuthentication reference notes that
#   such policies are ignored.
# custom:
#   id: MF504
#   severity: warning
#   remediation: >-
#     Move the policy into the namespace of the workloads it is meant for, or
#     remove the selector to make it the mesh-wide policy.
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: PeerAuthentication
#     metadata: {name: db-strict, namespace: istio-system}
#     spec:
#       selector: {matchLabels: {app: db}}   # ignored in the root namespace
#       mtls: {mode: STRICT}
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: PeerAuthentication
#     metadata: {name: db-strict, namespace: data}
#     spec:
#       selector: {matchLabels: {app: db}}
#       mtls: {mode: STRICT}
package meshfleet.rules.mf504

import data.meshfleet.lib

findings contains f if {
	some pa in input.resources.PeerAuthentication
	pa.namespace == input.index.rootNamespace
	count(pa.selector) > 0
	lib.istio(pa)
	f := {
		"ref": pa.ref,
		"path": "spec.selector",
		"message": sprintf(
			"Istio ignores a PeerAuthentication with a selector in the root namespace %s: selector %s applies it to no workload, not even in %s, and it is not the mesh-wide policy either; move it into the namespace of the workloads it is for, or remove the selector to make it mesh-wide",
			[pa.namespace, lib.format_labels(pa.selector), pa.namespace],
		),
	}
}
