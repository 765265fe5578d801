# METADATA
# title: DestinationRule subset selects no workload behind its host
# description: >-
#   A DestinationRule subset's labels match none of the workloads behind its
#   host (the workloads the host's Service selects, or a ServiceEntry's
#   workloadSelector or endpoints). Traffic routed to the subset finds no
#   endpoint and fails with 503 "no healthy upstream": an error when a
#   route of the input sends traffic to the subset, a warning (dead
#   configuration, a trap for the next route) when none does. Hosts whose backends
#   the input does not fully show (unknown namespace, Service without
#   selector, ServiceEntry resolved by DNS) are not checked, and labels that
#   only exist at run time (topology.istio.io/network, pod-template-hash, ...)
#   are taken as matching. With a complete input (lint --complete) a host
#   whose Services select no workload at all is checked too.
# custom:
#   id: MF301
#   severity: error
#   remediation: >-
#     Make the subset's labels match labels the workloads carry (for VMs the
#     WorkloadEntry labels or the WorkloadGroup's spec.metadata.labels), or
#     label the workloads.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: DestinationRule
#     metadata: {name: cart, namespace: shop}
#     spec:
#       host: cart
#       subsets:
#         - name: vm
#           labels: {runtime: vm}   # no workload behind cart has runtime=vm
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: DestinationRule
#     metadata: {name: cart, namespace: shop}
#     spec:
#       host: cart
#       subsets:
#         - name: v1
#           labels: {version: v1}
package meshfleet.rules.mf301

import data.meshfleet.lib

findings contains f if {
	some dr in input.resources.DestinationRule
	lib.istio(dr)
	h := input.index.hosts[dr.host]
	h.backendsComplete
	lib.backends_known(h)
	some subset in dr.subsets
	count(subset.matchLabels) > 0
	# The index matched matchLabels against h.backends: some backend
	# carries every label (lib.selects).
	not subset.selectsBackend
	f := {
		"ref": dr.ref,
		"path": sprintf("spec.subsets[%d].labels", [subset.index]),
		"message": sprintf(
			"subset %q selects %s, but no workload behind %s has those labels%s%s",
			[subset.name, lib.format_labels(subset.labels), dr.host, culprit(subset), effect(subset)],
		),
		"severity": severity(subset),
	}
}

# A subset some route sends traffic to fails that traffic (503); one no
# route of the input uses breaks nothing yet.
severity(subset) := "error" if subset.routed
else := "warning"

effect(subset) := "; routes sending traffic to it get 503 no healthy upstream" if subset.routed
else := "; no route of the input uses it yet"

# culprit names the labels no backend carries at all (the index lists them
# as absent), when some labels are fine and others are not, since those are
# the ones to fix.
culprit(subset) := sprintf("; none has %s", [lib.format_labels(subset.absent)]) if {
	count(subset.absent) > 0
	count(subset.absent) < count(subset.matchLabels)
} else := ""
