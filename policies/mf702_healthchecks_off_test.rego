package meshfleet.rules.mf702_test

import data.meshfleet.rules.mf702

off := {"env": "PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS", "off": true, "where": [{"ref": 0, "resource": "Deployment istio-system/istiod", "path": "spec.template.spec.containers[0].env[3].value", "value": "0"}]}

inp(cp, probe) := {
	"namespace": "payments",
	"resources": {"WorkloadGroup": [{"ref": 1, "apiVersion": "networking.istio.io/v1", "kind": "WorkloadGroup", "namespace": "payments", "name": "legacy", "hasProbe": probe}]},
	"index": {"controlPlane": cp},
}

test_fires_on_a_probe if {
	fs := mf702.findings with input as inp({"healthChecks": off}, true)
	count(fs) == 1
	some f in fs
	f.path == "spec.probe"
	contains(f.message, "Deployment istio-system/istiod spec.template.spec.containers[0].env[3].value: \"0\"")
}

test_silent_without_probe if {
	count(mf702.findings) == 0 with input as inp({"healthChecks": off}, false)
}

test_silent_when_on if {
	count(mf702.findings) == 0 with input as inp({}, true)
}
