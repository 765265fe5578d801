package meshfleet.rules.mf501_test

import data.meshfleet.rules.mf501

strict := {"ref": 3, "kind": "Deployment", "namespace": "data", "name": "db", "port": 5432, "by": "PeerAuthentication data/default"}

dr(mode, hits) := {
	"ref": 1, "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
	"namespace": "data", "name": "db", "host": "db.data.svc.cluster.local",
	"tlsSettings": [setting({"path": "spec.trafficPolicy.tls.mode", "mode": mode}, hits)],
}

# The index names the first STRICT backend (strictFirst, absent when none)
# and counts them (strictCount).
setting(s, hits) := object.union(s, {"strictCount": count(hits), "strictFirst": hits[0]}) if count(hits) > 0

setting(s, hits) := object.union(s, {"strictCount": 0}) if count(hits) == 0

test_fires_on_disable_towards_strict if {
	fs := mf501.findings with input as {"resources": {"DestinationRule": [dr("DISABLE", [strict])]}}
	fs == {{
		"ref": 1,
		"path": "spec.trafficPolicy.tls.mode",
		"message": "tls.mode DISABLE makes clients send plaintext to db.data.svc.cluster.local, but Deployment data/db behind it requires mTLS (STRICT on port 5432, set by PeerAuthentication data/default), so its sidecar rejects the connections and clients get 503s; use ISTIO_MUTUAL (or drop tls to let auto mTLS choose), or relax that PeerAuthentication",
	}}
}

test_fires_on_simple_port_level if {
	d := object.union(dr("SIMPLE", [strict, strict]), {"tlsSettings": [setting({"path": "spec.trafficPolicy.portLevelSettings[0].tls.mode", "mode": "SIMPLE", "port": 5432}, [strict, strict])]})
	fs := mf501.findings with input as {"resources": {"DestinationRule": [d]}}
	count(fs) == 1
	some f in fs
	contains(f.message, "one-way TLS")
	contains(f.message, "port 5432, but")
	contains(f.message, "(and 1 more workloads)")
}

test_silent_for_istio_mutual if {
	count(mf501.findings) == 0 with input as {"resources": {"DestinationRule": [dr("ISTIO_MUTUAL", [strict])]}}
}

test_silent_when_no_backend_is_strict if {
	count(mf501.findings) == 0 with input as {"resources": {"DestinationRule": [dr("DISABLE", [])]}}
}

test_silent_without_tls if {
	d := object.remove(dr("DISABLE", [strict]), ["tlsSettings"])
	count(mf501.findings) == 0 with input as {"resources": {"DestinationRule": [d]}}
}
