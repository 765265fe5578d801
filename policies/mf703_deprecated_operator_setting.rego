# METADATA
# title: IstioOperator setting that Istio deprecated or removed
# description: >-
#   The IstioOperator sets a field that istioctl's validation reports as
#   deprecated (it warns and the value is ignored or must move) or removed
#   (it refuses to install). Set to its default value, a deprecated field is
#   not reported, as istioctl does not report it. The mesh expansion values
#   of the seed (values.global.meshExpansion.enabled) are among them since
#   Istio 1.8: VMs reach istiod through an east-west gateway instead.
# custom:
#   id: MF703
#   severity: warning
#   remediation: >-
#     Move the setting to the replacement the message names, or remove it.
#   bad: |
#     apiVersion: install.istio.io/v1alpha1
#     kind: IstioOperator
#     metadata: {name: istio, namespace: istio-system}
#     spec:
#       values:
#         global:
#           meshExpansion: {enabled: true}
#   good: |
#     apiVersion: install.istio.io/v1alpha1
#     kind: IstioOperator
#     metadata: {name: istio, namespace: istio-system}
#     spec:
#       values:
#         global:
#           multiCluster: {clusterName: main-cluster}
package meshfleet.rules.mf703

findings contains f if {
	some op in input.resources.IstioOperator
	some d in op.deprecatedSettings
	f := {
		"ref": op.ref,
		"path": d.path,
		"severity": severity(d),
		"message": sprintf("%s %s; use %s", [d.path, verb(d), d.instead]),
	}
}

severity(d) := "error" if d.removed

severity(d) := "warning" if not d.removed

verb(d) := "was removed from Istio and istioctl refuses to install it" if d.removed

verb(d) := "is deprecated (istioctl install warns about it)" if not d.removed
