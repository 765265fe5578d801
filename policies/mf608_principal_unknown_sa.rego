# METADATA
# title: Principal names a service account its namespace does not have
# description: >-
#   A principal (principals or notPrincipals) of the form
#   <trust domain>/ns/<namespace>/sa/<service account> names a namespace the
#   input holds, but that namespace has neither a ServiceAccount of that name
#   nor a workload running as it (pod serviceAccountName, WorkloadEntry or
#   WorkloadGroup serviceAccount). No caller can carry that identity, so the
#   condition never matches: usually a typo, or a service account that was
#   renamed. Principals with wildcards, in namespaces the input does not
#   hold, or naming the "default" service account (Kubernetes creates it in
#   every namespace) are not checked. With a complete input (lint
#   --complete), a principal in a namespace the input does not hold at all
#   is reported too (that namespace does not exist), unless it is one every
#   cluster has (default, kube-system, kube-public, kube-node-lease, Istio's
#   root namespace).
# custom:
#   id: MF608
#   severity: warning
#   remediation: >-
#     Correct the namespace or service account name, or add the ServiceAccount
#     the callers run as.
#   bad: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: db, namespace: data}
#     spec:
#       rules:
#         - from:
#             - source: {principals: [cluster.local/ns/shop/sa/api-sa]}  # shop runs as "api"
#   good: |
#     apiVersion: security.istio.io/v1
#     kind: AuthorizationPolicy
#     metadata: {name: db, namespace: data}
#     spec:
#       rules:
#         - from:
#             - source: {principals: [cluster.local/ns/shop/sa/api]}
package meshfleet.rules.mf608

import data.meshfleet.lib

findings contains f if {
	some ap in input.resources.AuthorizationPolicy
	some field in ["principals", "notPrincipals"]
	some c in ap.conditions[field]
	some k, principal in c.values
	is_string(principal)
	parts := split(principal, "/")
	count(parts) == 5
	ns := parts[2]
	lib.known_namespace(ns)
	parts[1] == "ns"
	parts[3] == "sa"
	sa := parts[4]
	parts[0] != ""
	sa != ""
	not contains(principal, "*")
	not default_account(ns, sa)
	not has_account(ns, sa)
	not runs_as(ns, sa)
	f := {
		"ref": ap.ref,
		"path": sprintf("%s[%d]", [c.path, k]),
		"message": message(principal, ns, sa),
	}
}

# Kubernetes creates the service account "default" in every namespace: in
# one the input holds, it exists.
default_account(ns, "default") if input.index.namespaces[ns]

message(principal, ns, sa) := sprintf(
	"principal %q names service account %s in namespace %s, but %s has no ServiceAccount %s and no workload running as it%s, so no caller carries that identity; fix the name or add the ServiceAccount",
	[principal, sa, ns, ns, sa, known_accounts(ns)],
) if input.index.namespaces[ns]

# With a complete input, a namespace it does not hold does not exist.
message(principal, ns, sa) := sprintf(
	"principal %q names service account %s in namespace %s, but the input, complete, holds no namespace %s, so no caller carries that identity; fix the namespace or add it",
	[principal, sa, ns, ns],
) if not input.index.namespaces[ns]

has_account(ns, sa) if input.index.serviceAccounts[ns][sa]

runs_as(ns, sa) if input.index.workloadServiceAccounts[ns][sa]

# known_accounts lists the service accounts the namespace does have, to
# make a typo obvious.
known_accounts(ns) := sprintf(" (it has %s)", [concat(", ", accounts(ns))]) if count(accounts(ns)) > 0

known_accounts(ns) := "" if count(accounts(ns)) == 0

accounts(ns) := sort({n | some n, _ in object.get(input.index.serviceAccounts, ns, {})} | {n | some n, _ in object.get(input.index.workloadServiceAccounts, ns, {})})
