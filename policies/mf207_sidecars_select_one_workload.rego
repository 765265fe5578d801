# METADATA
# title: Several Sidecars select one workload
# description: >-
#   Two or more Sidecars of a namespace have workloadSelectors that match the
#   same workload. A proxy gets exactly one Sidecar; which of the matching
#   ones is undefined, so its egress hosts, ingress listeners and outbound
#   traffic policy depend on which istiod picks. Follows istioctl analyze's
#   sidecar.SelectorAnalyzer (IST0110 ConflictingSidecarWorkloadSelectors):
#   only Sidecars with non-empty workloadSelector labels, matched against
#   the workloads of their own namespace, reported on each Sidecar involved
#   with the other Sidecars and the first workload they share (and how many
#   more they share). One object written twice (same namespace and name) is
#   one Sidecar, the later copy winning. A selector-less Sidecar is the
#   namespace default and conflicts with none (MF206 covers two of those);
#   namespaces labelled istio.io/dataplane-mode=ambient are skipped.
# custom:
#   id: MF207
#   severity: error
#   remediation: >-
#     Make the workloadSelectors of a namespace's Sidecars disjoint (select
#     by a label only the intended workloads carry), or merge the Sidecars
#     that select the same workloads into one.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: Sidecar
#     metadata: {name: cart, namespace: shop}
#     spec:
#       workloadSelector: {labels: {app: cart}}
#       egress: [{hosts: ["./*"]}]
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: Sidecar
#     metadata: {name: cart-v2, namespace: shop}
#     spec:
#       workloadSelector: {labels: {version: v2}}
#       outboundTrafficPolicy: {mode: REGISTRY_ONLY}
#     ---
#     apiVersion: v1
#     kind: Pod
#     metadata: {name: cart-v2, namespace: shop, labels: {app: cart, version: v2}}
#     spec: {containers: [{name: cart, image: cart:2}]}
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: Sidecar
#     metadata: {name: cart, namespace: shop}
#     spec:
#       workloadSelector: {labels: {app: cart}}
#       egress: [{hosts: ["./*"]}]
#       outboundTrafficPolicy: {mode: REGISTRY_ONLY}
#     ---
#     apiVersion: v1
#     kind: Pod
#     metadata: {name: cart-v2, namespace: shop, labels: {app: cart, version: v2}}
#     spec: {containers: [{name: cart, image: cart:2}]}
package meshfleet.rules.mf207

import data.meshfleet.lib

# Istio's Sidecars of the shard with a selector, the last copy of each
# namespace and name (a shard holds several namespaces).
# Everything below sorts pairs and walks group boundaries, so the cost stays
# near-linear in Sidecars times the classes each selects: no pair of
# Sidecars is ever compared.
istio_sidecars := {t.ref: t | some t in input.resources.Sidecar; lib.istio(t)}

by_name := sort([[t.namespace, t.name, ref] | some ref, t in istio_sidecars])

selecting contains s if {
	some i, p in by_name
	array.slice(by_name[i + 1], 0, 2) != array.slice(p, 0, 2)
	s := istio_sidecars[p[2]]
	count(object.get(s, "selector", {})) > 0
}

selecting contains s if {
	p := by_name[count(by_name) - 1]
	s := istio_sidecars[p[2]]
	count(object.get(s, "selector", {})) > 0
}

# [workload class (its first ref), Sidecar name, its namespace], sorted by
# class.
pairs := sort([[r, s.name, s.namespace] | some s in selecting; some r in s.selected])

starts := [i | some i, _ in pairs; class_starts(i)]

class_starts(0)

class_starts(i) if {
	i > 0
	pairs[i - 1][0] != pairs[i][0]
}

# [Sidecar namespace, name, class, a, b] for each class several Sidecars
# select, where pairs[a:b] are that class's Sidecars; sorted by Sidecar then
# class, so the first entry of a Sidecar is its first shared workload (by
# ref: file order).
# Only indexes are carried: a class that n Sidecars share costs n entries,
# not n lists of n names.
by_sidecar := sort([[pairs[j][2], pairs[j][1], pairs[a][0], a, b] |
	some k, a in starts
	b := next(starts, k, count(pairs))
	b - a > 1
	some j in numbers.range(a, b - 1)
])

firsts := [i | some i, _ in by_sidecar; sidecar_starts(i)]

sidecar_starts(0)

sidecar_starts(i) if {
	i > 0
	array.slice(by_sidecar[i - 1], 0, 2) != array.slice(by_sidecar[i], 0, 2)
}

# The start of the group after the k-th, or end after the last.
next(starts, k, _) := starts[k + 1]

next(starts, k, end) := end if k + 1 == count(starts)

ambient(ns) if input.index.namespaces[ns].labels["istio.io/dataplane-mode"] == "ambient"

selecting_by_name := {[s.namespace, s.name]: s | some s in selecting}

findings contains f if {
	some k, a in firsts
	b := next(firsts, k, count(by_sidecar))
	e := by_sidecar[a]
	s := selecting_by_name[[e[0], e[1]]]
	not ambient(s.namespace)
	w := input.index.workloads[e[2]]
	f := {
		"ref": s.ref,
		"path": "spec.workloadSelector.labels",
		"message": sprintf(
			"selects %s %s/%s%s, which %s also select%s: a proxy gets one Sidecar and which one is undefined; make the workloadSelectors disjoint or merge the Sidecars",
			[w.kind, w.namespace, w.name, more(a, b), others(s.name, e[3], e[4]), verb_s(e[4] - e[3] - 1)],
		),
	}
}

# The other Sidecars of pairs[a:b]: the first three by name, and how many more.
others(self, a, b) := sprintf("Sidecar %s", [names[0]]) if {
	names := first_others(self, a, b)
	b - a == 2
}

others(self, a, b) := sprintf("Sidecars %s", [concat(", ", names)]) if {
	names := first_others(self, a, b)
	b - a > 2
	b - a <= 4
}

others(self, a, b) := sprintf("Sidecars %s and %d more", [concat(", ", names), b - a - 4]) if {
	names := first_others(self, a, b)
	b - a > 4
}

first_others(self, a, b) := array.slice(
	[n | some j in numbers.range(a, min([b, a + 4]) - 1); n := pairs[j][1]; n != self],
	0, 3,
)

# How many more workloads the Sidecar shares with others: the members of
# its shared classes but the first.
more(a, b) := "" if shared_workloads(a, b) == 1

more(a, b) := sprintf(" (and %d more workloads)", [n - 1]) if {
	n := shared_workloads(a, b)
	n > 1
}

shared_workloads(a, b) := sum([class_size(by_sidecar[j][2]) | some j in numbers.range(a, b - 1)])

class_size(r) := count(object.get(input.index.classes, r, [r]))

verb_s(1) := "s"

verb_s(n) := "" if n > 1
