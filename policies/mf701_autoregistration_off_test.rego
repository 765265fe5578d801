package meshfleet.rules.mf701_test

import data.meshfleet.rules.mf701

off := {"env": "PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION", "off": true, "where": [{"ref": 0, "resource": "IstioOperator istio-system/istio", "path": "spec.values.pilot.env.PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION", "value": "false"}]}

group(entries) := {"ref": 1, "apiVersion": "networking.istio.io/v1", "kind": "WorkloadGroup", "namespace": "payments", "name": "legacy", "registeredEntries": entries}

inp(cp, entries, complete) := {
	"namespace": "payments",
	"resources": {"WorkloadGroup": [group(entries)]},
	"index": {"controlPlane": cp, "complete": complete},
}

test_fires_without_entries if {
	fs := mf701.findings with input as inp({"autoRegistration": off}, 0, false)
	count(fs) == 1
	some f in fs
	f.ref == 1
	f.severity == "warning"
	contains(f.message, "IstioOperator istio-system/istio spec.values.pilot.env.PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: \"false\"")
}

test_error_when_complete if {
	some f in mf701.findings with input as inp({"autoRegistration": off}, 0, true)
	f.severity == "error"
}

test_silent_with_entries if {
	count(mf701.findings) == 0 with input as inp({"autoRegistration": off}, 2, false)
}

test_silent_when_not_off if {
	count(mf701.findings) == 0 with input as inp({}, 0, true)
}
