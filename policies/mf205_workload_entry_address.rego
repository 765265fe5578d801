# METADATA
# title: Two WorkloadEntries with one address on one network
# description: >-
#   Two WorkloadEntries give the same IP address on the same network (an
#   unset network is the default network), typically a VM registered by hand
#   and also auto-registered, or copied under two names. Istio then has two
#   endpoints for one machine: traffic and health checks are split between
#   them, the entries may carry different labels and identities, and istiod
#   cannot tell which entry a connecting proxy is. The finding is on the
#   entry that comes later (by file and position) and names the earlier one.
#   Entries whose address is a DNS name or a Unix socket are not compared.
# custom:
#   id: MF205
#   severity: error
#   remediation: >-
#     Keep one WorkloadEntry per VM: delete the manual entry of a VM that
#     auto-registers (or stop auto-registration for it), or fix the address
#     or network of the entry that is wrong.
#   bad: |
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadEntry
#     metadata: {name: cart-vm-1, namespace: shop}
#     spec: {address: 10.0.0.5, network: vm-net, labels: {app: cart}}
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadEntry
#     metadata: {name: cart-10.0.0.5, namespace: shop}
#     spec: {address: 10.0.0.5, network: vm-net, labels: {app: cart}}
#   good: |
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadEntry
#     metadata: {name: cart-vm-1, namespace: shop}
#     spec: {address: 10.0.0.5, network: vm-net, labels: {app: cart}}
package meshfleet.rules.mf205

findings contains f if {
	some ns in input.namespaces
	some ref in input.index.workloadsByNamespace[ns]
	other := input.index.workloads[ref].sameAddress
	f := {
		"ref": ref,
		"path": "spec.address",
		"message": sprintf(
			"address %s on %s is also WorkloadEntry %s/%s's: one VM registered twice splits its traffic and identity; keep one entry per VM",
			[other.address, network(other.network), other.namespace, other.name],
		),
	}
}

network("") := "the default network"

network(n) := sprintf("network %q", [n]) if n != ""
