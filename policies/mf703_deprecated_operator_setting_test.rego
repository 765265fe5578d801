package meshfleet.rules.mf703_test

import data.meshfleet.rules.mf703

inp(settings) := {
	"namespace": "istio-system",
	"resources": {"IstioOperator": [{"ref": 0, "apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator", "namespace": "istio-system", "name": "istio", "deprecatedSettings": settings}]},
}

test_deprecated_is_a_warning if {
	fs := mf703.findings with input as inp([{"path": "spec.values.global.meshExpansion.enabled", "instead": "an east-west gateway", "removed": false}])
	fs == {{
		"ref": 0,
		"path": "spec.values.global.meshExpansion.enabled",
		"severity": "warning",
		"message": "spec.values.global.meshExpansion.enabled is deprecated (istioctl install warns about it); use an east-west gateway",
	}}
}

test_removed_is_an_error if {
	some f in mf703.findings with input as inp([{"path": "spec.values.grafana.enabled", "instead": "the samples/addons deployments", "removed": true}])
	f.severity == "error"
}

test_silent_without_settings if {
	count(mf703.findings) == 0 with input as inp([])
}
