# METADATA
# title: Two DestinationRules for one host
# description: >-
#   Two DestinationRules in the same namespace configure the same host, both
#   without workloadSelector and exported to the same namespaces. Istio
#   merges them in creation order: it keeps the subsets of both (a repeated
#   subset name only once) but only the oldest rule's top-level
#   trafficPolicy, so the connection pool, outlier detection or TLS settings
#   of the other are silently ignored, and which one wins depends on the
#   order they were applied. The finding is on the rule that comes later (by
#   file and position) and names the other. Not reported: rules in different
#   namespaces (a client-side rule in the caller's namespace takes precedence
#   over the Service's by design), rules with a workloadSelector, rules
#   exported to different namespaces (Istio keeps those apart), wildcard
#   hosts, and one object written twice under the same name.
# custom:
#   id: MF305
#   severity: warning
#   remediation: >-
#     Merge the two into one DestinationRule per host and namespace: one
#     trafficPolicy and every subset.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: DestinationRule
#     metadata: {name: cart, namespace: shop}
#     spec:
#       host: cart
#       subsets: [{name: v1, labels: {version: v1}}]
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: DestinationRule
#     metadata: {name: cart-circuit-breaker, namespace: shop}
#     spec:
#       host: cart
#       trafficPolicy: {outlierDetection: {consecutive5xxErrors: 5}}
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: DestinationRule
#     metadata: {name: cart, namespace: shop}
#     spec:
#       host: cart
#       trafficPolicy: {outlierDetection: {consecutive5xxErrors: 5}}
#       subsets: [{name: v1, labels: {version: v1}}]
package meshfleet.rules.mf305

import data.meshfleet.lib

findings contains f if {
	some dr in input.resources.DestinationRule
	lib.istio(dr)
	other := dr.duplicateOf
	f := {
		"ref": dr.ref,
		"path": "spec.host",
		"message": sprintf(
			"DestinationRule %s/%s also configures %s: Istio merges the two, keeping only the older one's trafficPolicy, so one of them is partly ignored; merge them into one DestinationRule",
			[other.namespace, other.name, dr.host],
		),
	}
}
