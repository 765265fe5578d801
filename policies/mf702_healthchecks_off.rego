# METADATA
# title: WorkloadGroup probe while the control plane turns health checks off
# description: >-
#   A WorkloadGroup's probe is run by the sidecar on each VM, and istiod
#   marks the VM's WorkloadEntry healthy or unhealthy from its result only
#   when PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS is on (the default). Every
#   istiod of the input turns it off, so the probe is ignored: a VM whose
#   application is down keeps receiving traffic. With several control planes
#   (revisions) it fires only when all of them turn it off.
# custom:
#   id: MF702
#   severity: warning
#   remediation: >-
#     Remove PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS=false from the control
#     plane's pilot environment, or remove the probe so the configuration
#     says what happens.
#   bad: |
#     apiVersion: install.istio.io/v1alpha1
#     kind: IstioOperator
#     metadata: {name: istio, namespace: istio-system}
#     spec:
#       values:
#         pilot:
#           env: {PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS: "false"}
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadGroup
#     metadata: {name: legacy, namespace: payments}
#     spec:
#       metadata: {labels: {app: legacy}}
#       template: {serviceAccount: legacy}
#       probe: {httpGet: {path: /ready, port: 8080}}
#   good: |
#     apiVersion: install.istio.io/v1alpha1
#     kind: IstioOperator
#     metadata: {name: istio, namespace: istio-system}
#     spec:
#       values:
#         pilot:
#           env: {PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS: "true"}
#     ---
#     apiVersion: networking.istio.io/v1
#     kind: WorkloadGroup
#     metadata: {name: legacy, namespace: payments}
#     spec:
#       metadata: {labels: {app: legacy}}
#       template: {serviceAccount: legacy}
#       probe: {httpGet: {path: /ready, port: 8080}}
package meshfleet.rules.mf702

import data.meshfleet.lib

setting := input.index.controlPlane.healthChecks

findings contains f if {
	setting.off
	some g in input.resources.WorkloadGroup
	lib.istio(g)
	g.hasProbe
	f := {
		"ref": g.ref,
		"path": "spec.probe",
		"message": sprintf(
			"WorkloadGroup %s has a probe, but %s, so its result is ignored and an unhealthy VM keeps receiving traffic; remove that setting or the probe",
			[g.name, lib.where_off(setting)],
		),
	}
}
