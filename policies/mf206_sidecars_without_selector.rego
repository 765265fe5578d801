# METADATA
# title: Several Sidecars without workloadSelector in one namespace
# description: >-
#   More than one Sidecar in a namespace has no workloadSelector. A
#   selector-less Sidecar is the namespace's default for every workload no
#   selecting Sidecar covers, and there can be only one: with two, which one
#   a proxy gets is undefined, so egress hosts, ingress listeners and the
#   outbound traffic policy differ from proxy to proxy and across istiod
#   restarts. Follows istioctl analyze's sidecar.DefaultSelectorAnalyzer
#   (IST0111 MultipleSidecarsWithoutWorkloadSelectors), reported on each of
#   them. A Sidecar whose workloadSelector is written, even empty, is not
#   selector-less to that analyzer and is not counted; one object written
#   twice (same namespace and name) is one Sidecar, the later copy winning.
#   Namespaces labelled istio.io/dataplane-mode=ambient are skipped: there
#   Sidecars have no effect at all.
# custom:
#   id: MF206
#   severity: error
#   remediation: >-
#     Keep one selector-less Sidecar per namespace: merge the others into it,
#     or give each of them a workloadSelector for the workloads it is for.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: Sidecar
#     metadata: {name: default, namespace: shop}
#     spec:
#       egress: [{hosts: ["./*", "istio-system/*"]}]
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: Sidecar
#     metadata: {name: egress-lockdown, namespace: shop}
#     spec:
#       outboundTrafficPolicy: {mode: REGISTRY_ONLY}
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: Sidecar
#     metadata: {name: default, namespace: shop}
#     spec:
#       egress: [{hosts: ["./*", "istio-system/*"]}]
#       outboundTrafficPolicy: {mode: REGISTRY_ONLY}
package meshfleet.rules.mf206

import data.meshfleet.lib

# The Sidecars of the shard that count: Istio's, the last copy of each
# namespace and name. A shard holds several namespaces, and Sidecars are
# compared within theirs; sorting (namespace, name, ref) keeps this
# near-linear in the shard's Sidecars.
istio_sidecars := {t.ref: t | some t in input.resources.Sidecar; lib.istio(t)}

by_name := sort([[t.namespace, t.name, ref] | some ref, t in istio_sidecars])

effective contains istio_sidecars[p[2]] if {
	some i, p in by_name
	not same_name(i)
}

same_name(i) if {
	by_name[i + 1][0] == by_name[i][0]
	by_name[i + 1][1] == by_name[i][1]
}

selectorless contains s if {
	some s in effective
	not has_selector(s)
}

has_selector(s) if s.workloadSelectorWritten

ambient(ns) if input.index.namespaces[ns].labels["istio.io/dataplane-mode"] == "ambient"

names := {ns: sort([t.name | some t in selectorless; t.namespace == ns]) | some s in selectorless; ns := s.namespace}

listed(ns) := concat(", ", names[ns]) if count(names[ns]) <= 3

listed(ns) := sprintf("%s and %d more", [concat(", ", array.slice(names[ns], 0, 3)), count(names[ns]) - 3]) if count(names[ns]) > 3

findings contains f if {
	some s in selectorless
	count(names[s.namespace]) > 1
	not ambient(s.namespace)
	f := {
		"ref": s.ref,
		"path": "metadata.name",
		"message": sprintf(
			"the Sidecars %s in namespace %s all have no workloadSelector: which one Istio applies to the namespace's workloads is undefined; keep one selector-less Sidecar and merge the others into it or give them a workloadSelector",
			[listed(s.namespace), s.namespace],
		),
	}
}
