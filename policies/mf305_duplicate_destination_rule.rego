# METADATA
# title: Two DestinationRules for one host
# description: >-
#   Two DestinationRules in the same namespace configure the same host, both
#   without workloadSelector and exported to the same namespaces, and the
#   later one loses something when Istio merges them. Istio merges such
#   rules in creation order: it concatenates their subsets, keeping the
#   first of two with one name, and adopts the first top-level
#   trafficPolicy only. So a later rule's trafficPolicy (connection pool,
#   outlier detection, TLS) is silently ignored when an earlier rule set
#   one, and so is each subset an earlier rule already defines; which rule
#   wins depends on the order they were applied. A split that loses nothing
#   (one rule holds the trafficPolicy, the other adds subsets) is how Istio
#   documents splitting a rule and is not reported. The finding is on the
#   rule that comes later (by file and position), says what it loses and
#   names the rule that wins. Not reported either: rules in different
#   namespaces (a client-side rule in the caller's namespace takes
#   precedence over the Service's by design), rules with a workloadSelector,
#   rules exported to different namespaces (Istio keeps those apart),
#   wildcard hosts, and one object written twice under the same name.
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
#       trafficPolicy: {connectionPool: {tcp: {maxConnections: 100}}}
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
			"DestinationRule %s/%s also configures %s and Istio merges the two, so this one loses %s; merge them into one DestinationRule",
			[other.namespace, other.name, dr.host, other.lost],
		),
	}
}
