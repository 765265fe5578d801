package meshfleet.rules.mf504_test

import data.meshfleet.rules.mf504

pa(ns, sel) := {
	"ref": 1, "apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
	"namespace": ns, "name": "p", "selector": sel,
}

idx := {"rootNamespace": "istio-system"}

test_fires_on_a_selector_in_the_root_namespace if {
	fs := mf504.findings with input as {"resources": {"PeerAuthentication": [pa("istio-system", {"app": "db"})]}, "index": idx}
	count(fs) == 1
	some f in fs
	f.path == "spec.selector"
	contains(f.message, "app=db")
}

test_silent_for_the_mesh_wide_policy if {
	p := object.remove(pa("istio-system", {}), ["selector"])
	count(mf504.findings) == 0 with input as {"resources": {"PeerAuthentication": [p]}, "index": idx}
}

test_silent_for_a_selector_elsewhere if {
	count(mf504.findings) == 0 with input as {"resources": {"PeerAuthentication": [pa("data", {"app": "db"})]}, "index": idx}
}

test_silent_with_another_root_namespace if {
	inp := {"resources": {"PeerAuthentication": [pa("istio-system", {"app": "db"})]}, "index": {"rootNamespace": "mesh-root"}}
	count(mf504.findings) == 0 with input as inp
}
