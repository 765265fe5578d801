# METADATA
# title: WorkloadGroup relies on auto-registration that the control plane turns off
# description: >-
#   A WorkloadGroup with no WorkloadEntry in the input relies on
#   auto-registration: the VMs' sidecars connect with the group's identity
#   and istiod creates their WorkloadEntries. Every istiod of the input (an
#   IstioOperator, or a rendered istiod Deployment) sets
#   PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION to false (it defaults to
#   true), so no entry is ever created: the VMs stay out of every Service
#   and no traffic reaches them. With several control planes (revisions) it
#   fires only when all of them turn it off. An error with a complete input
#   (--complete); a warning otherwise, since the entries may live in a file
#   the run was not given.
# custom:
#   id: MF701
#   severity: warning
#   remediation: >-
#     Remove PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION=false from the
#     control plane's pilot environment (or set it to "true"), or declare a
#     WorkloadEntry for each VM of the group (a VMFleet's vms list renders
#     them).
#   bad: |
#     apiVersion: install.istio.io/v1alpha1
#     kind: IstioOperator
#     metadata: {name: istio, namespace: istio-system}
#     spec:
#       values:
#         pilot:
#           env: {PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: "false"}
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadGroup
#     metadata: {name: legacy, namespace: payments}
#     spec:
#       metadata: {labels: {app: legacy}}
#       template: {serviceAccount: legacy}
#   good: |
#     apiVersion: install.istio.io/v1alpha1
#     kind: IstioOperator
#     metadata: {name: istio, namespace: istio-system}
#     spec:
#       values:
#         pilot:
#           env: {PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: "true"}
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadGroup
#     metadata: {name: legacy, namespace: payments}
#     spec:
#       metadata: {labels: {app: legacy}}
#       template: {serviceAccount: legacy}
package meshfleet.rules.mf701

import data.meshfleet.lib

setting := input.index.controlPlane.autoRegistration

findings contains f if {
	setting.off
	some g in input.resources.WorkloadGroup
	lib.istio(g)
	g.registeredEntries == 0
	f := {
		"ref": g.ref,
		"path": "metadata.name",
		"severity": severity,
		"message": sprintf(
			"WorkloadGroup %s has no WorkloadEntry, so its VMs must auto-register, but %s; its VMs never join the Service: remove that setting or declare the WorkloadEntries",
			[g.name, lib.where_off(setting)],
		),
	}
}

severity := "error" if lib.complete

severity := "warning" if not lib.complete
